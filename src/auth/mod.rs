//! Signing in: password hashes, access tokens, and the extractor that reads a token.

pub mod password;
pub mod token;

pub use password::Passwords;
pub use token::{Claims, TokenKeys};
