//! The rules of a confidence vote, free of I/O so they can be tested exhaustively.

pub mod ballot;
pub mod committee;
pub mod kind;
pub mod lifecycle;
pub mod names;
pub mod role;
pub mod tally;

pub use ballot::{BallotRows, Marks, MarksError};
pub use committee::{CommitteeState, Secrecy, Step};
pub use kind::{Choice, PercentBase, VoteKind};
pub use lifecycle::{Transition, VoteState};
pub use role::Role;
pub use tally::{Outcome, SubjectResult, Tally};
