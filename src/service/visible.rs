//! A vote as stored, read for a caller who may see it: its kind, base and state parsed, its
//! subjects in ballot order, its turnout.

use super::{committees, Caller};
use crate::db::votes::{self as vote_rows, VoteRow};
use crate::db::DbConn;
use crate::domain::{PercentBase, Secrecy, VoteKind, VoteState};
use crate::error::{AppError, AppResult};
use crate::shapes::{rfc3339, Subject, Vote};

/// A vote as stored, with its kind, base, state and secrecy read.
pub struct LoadedVote {
    pub row: VoteRow,
    pub kind: VoteKind,
    pub percent_base: PercentBase,
    pub state: VoteState,
    pub secrecy: Secrecy,
}

/// Reads a stored name; one we do not know means the database was edited by hand.
fn parse_stored<T: std::str::FromStr>(what: &str, value: &str) -> AppResult<T> {
    value
        .parse()
        .map_err(|_| AppError::internal(format_args!("stored {what} {value:?} is not known")))
}

impl LoadedVote {
    pub fn new(row: VoteRow) -> AppResult<LoadedVote> {
        Ok(LoadedVote {
            kind: parse_stored("vote kind", &row.kind)?,
            percent_base: parse_stored("percent base", &row.percent_base)?,
            state: parse_stored("vote state", &row.state)?,
            secrecy: parse_stored("vote secrecy", &row.secrecy)?,
            row,
        })
    }
}

/// The vote if the caller may see it: its council's members and admins; 404 for anyone else.
pub fn load_visible(conn: &mut DbConn, caller: &Caller, vote_id: &str) -> AppResult<LoadedVote> {
    let row = vote_rows::find(conn, vote_id)?.ok_or_else(|| AppError::not_found("vote"))?;
    caller.see_council(&row.council_id, "vote")?;
    LoadedVote::new(row)
}

/// The vote if the caller may read it: as [`load_visible`], and also for the supervisors of
/// its council's parent (read-only: every write loads the vote with [`load_visible`]).
pub fn load_readable(conn: &mut DbConn, caller: &Caller, vote_id: &str) -> AppResult<LoadedVote> {
    let row = vote_rows::find(conn, vote_id)?.ok_or_else(|| AppError::not_found("vote"))?;
    caller.read_council(&row.council_id, "vote")?;
    LoadedVote::new(row)
}

pub fn subjects(conn: &mut DbConn, vote_id: &str) -> AppResult<Vec<Subject>> {
    vote_rows::subjects_of(conn, vote_id)?
        .into_iter()
        .map(|s| {
            let positions = serde_json::from_str(&s.positions).map_err(|e| {
                AppError::internal(format_args!("stored positions of a subject: {e}"))
            })?;
            Ok(Subject {
                id: s.id,
                full_name: s.full_name,
                positions,
                order: s.ordinal,
            })
        })
        .collect()
}

pub fn view(conn: &mut DbConn, vote: LoadedVote) -> AppResult<Vote> {
    let subjects = subjects(conn, &vote.row.id)?;
    let (eligible, cast) = vote_rows::turnout(conn, &vote.row.id)?;
    let committee = match &vote.row.committee_id {
        Some(id) => Some(committees::summary(conn, id)?),
        None => None,
    };
    let follow_up = vote_rows::follow_up_of(conn, &vote.row.id)?;
    let exempt = super::votes::stored_exempt(&vote.row)?;
    let row = vote.row;
    Ok(Vote {
        subjects,
        eligible: (vote.state != VoteState::Draft).then_some(eligible),
        ballots_cast: cast,
        kind: vote.kind,
        percent_base: vote.percent_base,
        state: vote.state,
        opened_at: row.opened_at.map(rfc3339),
        closed_at: row.closed_at.map(rfc3339),
        id: row.id,
        council_id: row.council_id,
        title: row.title,
        secrecy: vote.secrecy,
        committee,
        follow_up_of: row.follow_up_of,
        follow_up,
        public: row.public_at.is_some(),
        public_at: row.public_at.map(rfc3339),
        exempt,
    })
}
