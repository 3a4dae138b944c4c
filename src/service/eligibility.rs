//! Who may cast in a vote and whether they still can: the checks every cast passes before
//! its content is looked at, in the order their answers take precedence, and the cast they
//! let through to the ballot writer.

use super::visible::{load_visible, LoadedVote};
use super::Caller;
use crate::db::encrypted::EncryptedRow;
use crate::db::{ballots, DbConn};
use crate::domain::{Role, VoteState};
use crate::error::{AppError, AppResult, Problem};

/// Whether the caller is one of the vote's electors, and has cast: 403 for anyone else.
pub fn elector_status(conn: &mut DbConn, caller: &Caller, vote: &LoadedVote) -> AppResult<bool> {
    if vote.state == VoteState::Draft {
        if caller.has(Role::Delegate) {
            return Err(AppError::invalid_state(
                "This vote has not been opened yet; wait for the chair to open it.",
            ));
        }
        return Err(not_elector());
    }
    ballots::elector_has_cast(conn, &vote.row.id, &caller.member.id)?.ok_or_else(not_elector)
}

fn not_elector() -> AppError {
    AppError::forbidden(
        "You are not an eligible delegate in this vote: eligibility is fixed when the vote opens.",
    )
}

fn already_cast() -> AppError {
    AppError::new(
        Problem::AlreadyCast,
        "Your ballot in this vote is already in; a cast ballot is final.",
    )
}

fn not_open(state: &str) -> AppError {
    AppError::invalid_state(format!(
        "Ballots can be cast only while the vote is open; it is {state}."
    ))
}

/// A ballot that fits its vote, ready for the writer.
#[derive(Debug, Clone)]
pub struct PendingCast {
    pub vote_id: String,
    pub member_id: String,
    /// The version of the token it was cast with: the writer refuses it if that has changed.
    pub token_version: i32,
    pub content: CastContent,
}

#[derive(Debug, Clone)]
pub enum CastContent {
    /// A server vote's marks, in their stored form.
    Marks(String),
    /// A committee vote's encrypted ballot, its proofs checked.
    Encrypted(Box<EncryptedRow>),
}

/// Every check a cast must pass apart from its marks, in the order their answers take
/// precedence: the vote is visible (404), the caller is an elector (403, or 409 before it
/// opens), it is open (409), and they have not cast (409).
pub fn check_castable(conn: &mut DbConn, caller: &Caller, vote_id: &str) -> AppResult<LoadedVote> {
    let vote = load_visible(conn, caller, vote_id)?;
    let has_cast = elector_status(conn, caller, &vote)?;
    if vote.state != VoteState::Open {
        return Err(not_open(vote.state.as_str()));
    }
    if has_cast {
        return Err(already_cast());
    }
    Ok(vote)
}
