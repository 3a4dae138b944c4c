//! A draft vote's subject list, replaced as a whole (from JSON or CSV) until the vote opens.
//! Everything that depends on the subjects (the electors, a committee vote's manifest, the
//! ballots) is fixed at the opening, so only a draft may change.

use super::csv_import::CsvImport;
use super::visible::{load_visible, view, LoadedVote};
use super::{accounts, records, votes, Caller};
use crate::db::votes::{self as vote_rows, Lock};
use crate::db::{self, members, DbConn};
use crate::domain::{Role, VoteState};
use crate::error::{AppError, AppResult};
use crate::record::chain::EventKind;
use crate::shapes::{Exempt, NewSubject, Vote};

/// The draft the caller may edit: its council's chair and admins (404 for other councils, 403
/// for other roles, 409 once it has opened).
pub fn editable(conn: &mut DbConn, caller: &Caller, vote_id: &str) -> AppResult<LoadedVote> {
    let vote = load_visible(conn, caller, vote_id)?;
    caller.require(&[Role::Admin, Role::Chair], "edit a draft's subjects")?;
    if vote.state != VoteState::Draft {
        return Err(AppError::invalid_state(format!(
            "This vote is {}; its subjects can be changed only in draft, before it opens. \
             Create a new vote for another list.",
            vote.state.as_str()
        )));
    }
    Ok(vote)
}

/// Replaces the draft's subjects with `subjects`, in their order, checked as a vote's creation
/// checks them, and its people not rated with `exempt` when given (else they stay, and must
/// still not be among the new subjects); all or nothing.
pub fn replace(
    conn: &mut DbConn,
    caller: &Caller,
    vote_id: &str,
    subjects: &[NewSubject],
    exempt: Option<&[Exempt]>,
) -> AppResult<Vote> {
    editable(conn, caller, vote_id)?;
    let rows = votes::subject_rows(vote_id, subjects)?;
    db::write_transaction(conn, |conn| {
        // Again under the lock: the chair may be opening it at this moment.
        vote_rows::lock_state(conn, vote_id, Lock::Exclusive)?;
        let vote = editable(conn, caller, vote_id)?;
        let exempt = match exempt {
            Some(given) => votes::exempt_list(given, subjects)?,
            None => votes::exempt_list(&votes::stored_exempt(&vote.row)?, subjects)?,
        };
        vote_rows::set_exempt(conn, vote_id, &exempt)?;
        vote_rows::replace_subjects(conn, vote_id, &rows)?;
        recount_created(conn, &vote, caller, rows.len() as u64)
    })?;
    let vote = load_visible(conn, caller, vote_id)?;
    view(conn, vote)
}

/// A draft's log holds its "created" event alone, which counts the subjects the record will
/// list: it is written again with the new count, keeping who created the vote and when.
fn recount_created(
    conn: &mut DbConn,
    vote: &LoadedVote,
    editor: &Caller,
    subjects: u64,
) -> AppResult<()> {
    let events = db::records::events_of(conn, &vote.row.id)?;
    let [created] = events.as_slice() else {
        return Err(AppError::internal(format_args!(
            "draft vote {} has {} events in its log, not one",
            vote.row.id,
            events.len()
        )));
    };
    let creator = match members::find(conn, &created.actor_id)? {
        Some(member) => Caller::with_member(conn, member)?,
        None => editor.clone(),
    };
    vote_rows::delete_events(conn, &vote.row.id)?;
    records::log_event(
        conn,
        &vote.row.id,
        EventKind::Created,
        vote.row.created_at,
        &creator,
        subjects,
    )
}

/// Reads a subject list from CSV (header `full_name,positions`, positions separated by `;`),
/// every bad line named at once by its number (the header is line 1).
pub fn parse_import(body: &[u8]) -> AppResult<Vec<NewSubject>> {
    let import = CsvImport {
        columns: ["full_name", "positions"],
        one: "person",
        many: "people",
        max_rows: accounts::MAX_IMPORT_ROWS,
    };
    let rows = import.read(body, |_, [full_name, positions]| {
        let positions: Vec<String> = positions
            .split(';')
            .filter(|p| !p.trim().is_empty())
            .map(str::to_owned)
            .collect();
        let (full_name, positions) = votes::checked_subject("", full_name, &positions)?;
        Ok(NewSubject {
            full_name,
            positions,
        })
    })?;
    Ok(rows.into_iter().map(|(_, subject)| subject).collect())
}
