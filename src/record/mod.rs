//! The auditor's record of a closed vote (DOMAIN.md, "The counting minutes and the record";
//! docs/auditing.md): canonical JSON, signed with Ed25519, recountable by anyone.
//!
//! Everything here is pure but [`key`]'s file handling: the service builds the record from the
//! database and calls these functions; `tinnhiem verify` calls them on a downloaded file.

pub mod canonical;
pub mod chain;
pub mod csv;
pub mod encrypted;
pub mod key;
pub mod minutes;
pub mod model;
pub mod resolution;
pub mod verify;

pub use key::RecordKey;
pub use model::{Envelope, Record, FORMAT};
pub use verify::{verify, Verdict};
