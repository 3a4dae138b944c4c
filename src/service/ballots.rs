//! A delegate's ballot: fetched (with whether it is in) and cast once.

use super::layouts::Layout;
use super::visible::{load_visible, subjects, LoadedVote};
use super::{encrypted_ballots, Caller};
use diesel::{Connection, QueryResult};

use crate::db::encrypted::{self, EncryptedRow};
use crate::db::votes as vote_rows;
use crate::db::{ballots, DbConn};
use crate::domain::{Role, Secrecy, VoteState};
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
    let encryption = if cast {
        None
    } else {
        encrypted_ballots::encryption(conn, caller, &vote)?
    };
    Ok(Ballot {
        vote_id: vote.row.id.clone(),
        title: vote.row.title.clone(),
        kind: vote.kind,
        choices: vote.kind.choices().iter().map(|c| c.as_str()).collect(),
        subjects: subjects(conn, &vote.row.id)?,
        cast,
        secrecy: vote.secrecy,
        encryption,
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
pub(super) fn check_castable(
    conn: &mut DbConn,
    caller: &Caller,
    vote_id: &str,
) -> AppResult<LoadedVote> {
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

/// Checks a cast against the database, every check in order: for a cast whose marks could not
/// be checked in memory (its vote's layout is not known, or they do not fit it), so that the
/// answer is the one that takes precedence.
pub fn prepare(
    conn: &mut DbConn,
    caller: &Caller,
    vote_id: &str,
    input: MarksInput,
) -> AppResult<PendingCast> {
    let vote = check_castable(conn, caller, vote_id)?;
    if vote.secrecy == Secrecy::Committee {
        return Err(AppError::new(
            Problem::InvalidBallot,
            "Nothing was recorded: this is a committee vote, in which the server takes only \
             ballots encrypted on the tablet ({\"encrypted\": …}), never marks.",
        ));
    }
    let layout = Layout::new(vote.kind, &vote_rows::subject_ids_of(conn, vote_id)?);
    let marks = layout.marks(&input).map_err(|e| {
        AppError::new(
            Problem::InvalidBallot,
            format!("Nothing was recorded: {e}."),
        )
    })?;
    Ok(PendingCast {
        vote_id: vote.row.id,
        member_id: caller.member.id.clone(),
        token_version: caller.member.token_version,
        content: CastContent::Marks(marks),
    })
}

/// Records a cast inside the writer's transaction, given the vote's state read (and held
/// against a close) in that transaction. The outer error is the database's and fails the whole
/// group; the inner one refuses this cast alone, having written nothing. The ballot row
/// carries no trace of the delegate.
pub fn record(
    conn: &mut DbConn,
    cast: &PendingCast,
    vote_state: Option<&str>,
) -> QueryResult<AppResult<()>> {
    // A vote that is not open refuses every cast, but the answer must still be the one that
    // takes precedence (a stranger learns nothing of another council's vote, an ended sign-in
    // is told so): the full checks give it.
    if vote_state != Some(VoteState::Open.as_str()) {
        return Ok(Err(why_refused(conn, cast)));
    }
    match &cast.content {
        CastContent::Marks(marks) => {
            if !ballots::mark_cast(conn, &cast.vote_id, &cast.member_id, cast.token_version)? {
                return Ok(Err(why_refused(conn, cast)));
            }
            ballots::insert_ballot(conn, &cast.vote_id, marks)?;
        }
        CastContent::Encrypted(row) => {
            if encrypted::is_copy(conn, &cast.vote_id, &row.cells_hash)? {
                return Ok(Err(encrypted_ballots::copy_refused()));
            }
            let marked = encrypted::mark_cast(
                conn,
                &cast.vote_id,
                &cast.member_id,
                cast.token_version,
                &row.id,
            )?;
            if !marked {
                return Ok(Err(why_refused(conn, cast)));
            }
            encrypted::insert(conn, row)?;
        }
    }
    Ok(Ok(()))
}

/// Why the writer could not mark the delegate as having cast: the same checks, and so the same
/// answer, as a cast refused before reaching the writer. They only read, in a savepoint, so a
/// failing read leaves the group's transaction usable.
fn why_refused(conn: &mut DbConn, cast: &PendingCast) -> AppError {
    let checked = conn.transaction(|conn| {
        let caller = Caller::load_current(conn, &cast.member_id, cast.token_version)?;
        check_castable(conn, &caller, &cast.vote_id).map(|_| ())
    });
    match (checked, &cast.content) {
        (Err(e), _) => e,
        // The ballot id was issued anew meanwhile (the elector fetched their ballot again).
        (Ok(()), CastContent::Encrypted(_)) => AppError::new(
            Problem::InvalidBallot,
            "Nothing was recorded: this ballot was encrypted for a ballot id that is no longer \
             yours. Fetch your ballot again and encrypt it afresh.",
        ),
        (Ok(()), CastContent::Marks(_)) => {
            AppError::internal("a cast was refused although every check passes")
        }
    }
}
