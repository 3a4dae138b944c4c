//! The committee member's tool: the client side of the key ceremony and of the decryption of
//! totals, run from the member's own machine with `tinnhiem committee …`. It
//! trusts the server with nothing: it checks every member's proofs itself, keeps its share in
//! a file only its passphrase opens, and confirms only the ceremony it saw.

pub mod ceremony;
pub mod decrypt;
pub mod error;
pub mod session;
pub mod share_file;

pub use ceremony::{ceremony, Outcome};
pub use decrypt::decrypt;
pub use error::ToolError;
pub use session::Session;
pub use share_file::ShareFile;
