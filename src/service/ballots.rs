//! A delegate's ballot: fetched (with whether it is in) and cast once.

use super::votes::{load_visible, subjects, LoadedVote};
use super::Caller;
use crate::db::votes::{self as vote_rows, Lock};
use crate::db::{self, ballots, DbConn};
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

/// Casts the caller's ballot. Checks everything it can before taking the write lock, then,
/// under it: the vote is still open, the caller had not cast, and the ballot goes in. The
/// ballot row carries no trace of the caller.
pub fn cast(conn: &mut DbConn, caller: &Caller, vote_id: &str, input: MarksInput) -> AppResult<()> {
    let vote = load_visible(conn, caller, vote_id)?;
    let has_cast = elector_status(conn, caller, &vote)?;
    if vote.state != VoteState::Open {
        return Err(not_open(vote.state.as_str()));
    }
    if has_cast {
        return Err(already_cast());
    }
    let subject_ids: Vec<String> = subjects(conn, vote_id)?.into_iter().map(|s| s.id).collect();
    let marks = Marks::from_entries(vote.kind, &subject_ids, &input.0).map_err(|e| {
        AppError::new(
            Problem::InvalidBallot,
            format!("Nothing was recorded: {e}."),
        )
    })?;
    let stored = marks.encode();
    let member_id = caller.member.id.as_str();
    db::write_transaction(conn, |conn| {
        let state = vote_rows::lock_state(conn, vote_id, Lock::Share)?
            .ok_or_else(|| AppError::not_found("vote"))?;
        if state != VoteState::Open.as_str() {
            return Err(not_open(&state));
        }
        if !ballots::mark_cast(conn, vote_id, member_id)? {
            return Err(already_cast());
        }
        ballots::insert_ballot(conn, vote_id, &stored)?;
        Ok(())
    })
}
