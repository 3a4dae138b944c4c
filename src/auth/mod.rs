//! Signing in: password hashes, access tokens, sign-in throttling.

pub mod password;
pub mod throttle;
pub mod token;

pub use password::Passwords;
pub use throttle::{LoginLimits, Throttle};
pub use token::{Claims, TokenKeys};
