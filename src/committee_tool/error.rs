//! Why the member's tool stopped.

/// Why the tool stopped. Never holds a password, passphrase or share.
#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    /// The server could not be reached, or answered something that is not the API.
    #[error("the server: {0}")]
    Transport(String),
    /// The server refused a request: its problem detail.
    #[error("the server refused ({status}): {detail}")]
    Refused { status: u16, detail: String },
    /// The share file is missing, unreadable, or the passphrase does not open it.
    #[error("the share file {0}")]
    ShareFile(String),
    /// What the server or another member published does not check: the tool stops rather
    /// than take part in a ceremony it cannot trust.
    #[error("refusing to go on: {0}")]
    Distrust(String),
}
