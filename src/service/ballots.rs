//! A delegate's ballot: fetched (with whether it is in) and cast once.

use super::votes::{load_visible, subjects, LoadedVote};
use super::Caller;
use crate::db::votes::{self as vote_rows, Lock};
use crate::db::{ballots, DbConn};
use crate::domain::{Marks, Role, VoteState};
use crate::error::{AppError, AppResult, Problem};
use crate::shapes::{Ballot, MarksInput};

/// Whether the caller is one of the vote's electors, and has cast: 403 for anyone else.
fn elector_status(conn: &mut DbConn, caller: &Caller, vote: &LoadedVote) -> AppResult<bool> {
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

pub fn get(conn: &mut DbConn, caller: &Caller, vote_id: &str) -> AppResult<Ballot> {
    let vote = load_visible(conn, caller, vote_id)?;
    let cast = elector_status(conn, caller, &vote)?;
    Ok(Ballot {
        vote_id: vote.row.id.clone(),
        title: vote.row.title.clone(),
        kind: vote.kind,
        choices: vote.kind.choices().iter().map(|c| c.as_str()).collect(),
        subjects: subjects(conn, &vote.row.id)?,
        cast,
    })
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

/// A ballot that passed every check that needs no lock, ready to be recorded.
#[derive(Debug, Clone)]
pub struct PendingCast {
    pub vote_id: String,
    pub member_id: String,
    /// The stored form of the marks.
    pub marks: String,
}

/// Checks a cast before it is written: the vote is visible and open, the caller is an elector
/// who has not cast, and the marks are one known choice per known subject.
pub fn prepare(
    conn: &mut DbConn,
    caller: &Caller,
    vote_id: &str,
    input: MarksInput,
) -> AppResult<PendingCast> {
    let vote = load_visible(conn, caller, vote_id)?;
    let has_cast = elector_status(conn, caller, &vote)?;
    if vote.state != VoteState::Open {
        return Err(not_open(vote.state.as_str()));
    }
    if has_cast {
        return Err(already_cast());
    }
    let subject_ids = vote_rows::subject_ids_of(conn, vote_id)?;
    let marks = Marks::from_entries(vote.kind, &subject_ids, &input.0).map_err(|e| {
        AppError::new(
            Problem::InvalidBallot,
            format!("Nothing was recorded: {e}."),
        )
    })?;
    Ok(PendingCast {
        vote_id: vote.row.id,
        member_id: caller.member.id.clone(),
        marks: marks.encode(),
    })
}

/// Records a prepared cast, inside the caller's write transaction: the vote is still open
/// (held against a concurrent close), the delegate had not cast (racing casts of the same
/// delegate find it already marked), and the ballot goes in. The ballot row carries no trace
/// of the delegate.
pub fn record(conn: &mut DbConn, cast: &PendingCast) -> AppResult<()> {
    let state = vote_rows::lock_state(conn, &cast.vote_id, Lock::Share)?
        .ok_or_else(|| AppError::not_found("vote"))?;
    if state != VoteState::Open.as_str() {
        return Err(not_open(&state));
    }
    if !ballots::mark_cast(conn, &cast.vote_id, &cast.member_id)? {
        return Err(already_cast());
    }
    ballots::insert_ballot(conn, &cast.vote_id, &cast.marks)?;
    Ok(())
}
