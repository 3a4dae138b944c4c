//! A delegate's ballot: fetched (with whether it is in) and cast once.

use super::eligibility::{check_castable, elector_status, CastContent, PendingCast};
use super::layouts::Layout;
use super::visible::{load_visible, subjects};
use super::{encrypted_ballots, Caller};
use diesel::{Connection, QueryResult};

use crate::db::votes as vote_rows;
use crate::db::{ballots, DbConn};
use crate::domain::{Secrecy, VoteState};
use crate::error::{AppError, AppResult, Problem};
use crate::shapes::{Ballot, MarksInput};

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
        CastContent::Encrypted(row) => match encrypted_ballots::record(conn, cast, row)? {
            Ok(true) => {}
            Ok(false) => return Ok(Err(why_refused(conn, cast))),
            Err(refused) => return Ok(Err(refused)),
        },
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
