//! Votes: created in draft, opened and closed by the chair; the tally is made at close.

use super::records::RecordCheck;
use super::visible::{load_readable, load_visible, subjects, view, LoadedVote};
use super::{committees, decryption, encrypted_ballots, records, tallies, text, Caller};
use crate::db::votes::{self as vote_rows, Lock, SubjectRow, VoteRow};
use crate::db::{self, ballots, councils, members, DbConn};
use crate::domain::{Marks, PercentBase, Role, Secrecy, Tally, Transition, VoteKind, VoteState};
use crate::error::{AppError, AppResult};
use crate::record::chain::EventKind;
use crate::record::RecordKey;
use crate::shapes::{Exempt, NewSubject, NewVote, Vote};

pub const MAX_SUBJECTS: usize = 500;
pub const MAX_POSITIONS: usize = 20;

/// One vote, with turnout, if the caller may see it.
pub fn get(conn: &mut DbConn, caller: &Caller, vote_id: &str) -> AppResult<Vote> {
    let vote = load_readable(conn, caller, vote_id)?;
    view(conn, vote)
}

pub fn create(
    conn: &mut DbConn,
    caller: &Caller,
    council_id: &str,
    input: NewVote,
) -> AppResult<Vote> {
    caller.see_council(council_id, "council")?;
    caller.require(&[Role::Admin, Role::Chair], "create votes")?;
    councils::find(conn, council_id)?.ok_or_else(|| AppError::not_found("council"))?;

    let title = text("title", &input.title, 300)?;
    let kind: VoteKind = input.kind.parse().map_err(|_| {
        AppError::validation("kind must be \"rating\" (lấy phiếu) or \"confidence\" (bỏ phiếu).")
    })?;
    let percent_base: PercentBase = match input.percent_base.as_deref() {
        None => PercentBase::default(),
        Some(b) => b.parse().map_err(|_| {
            AppError::validation("percent_base must be \"ballots\" (the default) or \"seats\".")
        })?,
    };
    let (secrecy, committee) = committees::requested(input.secrecy.as_deref(), input.committee)?;
    let vote = VoteRow {
        id: uuid::Uuid::new_v4().to_string(),
        council_id: council_id.to_owned(),
        title,
        kind: kind.as_str().to_owned(),
        percent_base: percent_base.as_str().to_owned(),
        state: VoteState::Draft.as_str().to_owned(),
        created_at: db::now(),
        opened_at: None,
        closed_at: None,
        secrecy: secrecy.as_str().to_owned(),
        committee_id: None,
        manifest_hash: None,
        follow_up_of: None,
        public_at: None,
        exempt: exempt_list(input.exempt.as_deref().unwrap_or_default(), &input.subjects)?,
    };
    let subject_rows = subject_rows(&vote.id, &input.subjects)?;
    let subject_count = subject_rows.len() as u64;
    let mut vote = vote;
    db::write_transaction(conn, |conn| {
        if let Some(wanted) = &committee {
            vote.committee_id = Some(committees::for_vote(conn, council_id, wanted)?);
        }
        vote_rows::insert(conn, &vote, &subject_rows)?;
        records::log_event(
            conn,
            &vote.id,
            EventKind::Created,
            vote.created_at,
            caller,
            subject_count,
        )
    })?;
    view(conn, LoadedVote::new(vote)?)
}

/// The subject rows of `vote_id` from a request's list, in ballot order, each checked.
pub fn subject_rows(vote_id: &str, subjects: &[NewSubject]) -> AppResult<Vec<SubjectRow>> {
    if subjects.is_empty() || subjects.len() > MAX_SUBJECTS {
        return Err(AppError::validation(format!(
            "subjects must list between 1 and {MAX_SUBJECTS} people, one entry per person."
        )));
    }
    let mut rows = Vec::with_capacity(subjects.len());
    for (i, s) in subjects.iter().enumerate() {
        let (full_name, positions) =
            checked_subject(&format!("subjects[{i}]"), &s.full_name, &s.positions)?;
        rows.push(SubjectRow {
            id: uuid::Uuid::new_v4().to_string(),
            vote_id: vote_id.to_owned(),
            ordinal: i as i32 + 1,
            full_name,
            positions: serde_json::to_string(&positions).map_err(AppError::internal)?,
        });
    }
    Ok(rows)
}

/// The vote's people not rated, checked as subjects are (`exempt[i].full_name`, …) with a
/// reason, none of them also among `subjects`; as stored (a JSON array).
pub fn exempt_list(exempt: &[Exempt], subjects: &[NewSubject]) -> AppResult<String> {
    if exempt.len() > MAX_SUBJECTS {
        return Err(AppError::validation(format!(
            "exempt must list at most {MAX_SUBJECTS} people."
        )));
    }
    let rated: Vec<String> = subjects.iter().map(|s| same_person(&s.full_name)).collect();
    let mut checked = Vec::with_capacity(exempt.len());
    for (i, e) in exempt.iter().enumerate() {
        let entry = format!("exempt[{i}]");
        let (full_name, positions) = checked_subject(&entry, &e.full_name, &e.positions)?;
        let reason = text(&format!("{entry}.reason"), &e.reason, 500)?;
        if let Some(j) = rated.iter().position(|r| *r == same_person(&full_name)) {
            return Err(AppError::validation(format!(
                "{entry}.full_name ({full_name}) is also subjects[{j}]: a person exempt is not rated. \
                 Remove them from one of the two lists."
            )));
        }
        checked.push(Exempt {
            full_name,
            positions,
            reason,
        });
    }
    serde_json::to_string(&checked).map_err(AppError::internal)
}

/// What two names are compared by to tell whether they are one person: the name trimmed and
/// in lower case, as the verifier of records compares them
/// ([`crate::record::model::same_person`]).
fn same_person(full_name: &str) -> String {
    full_name.trim().to_lowercase()
}

/// The stored list of a vote's people not rated.
pub fn stored_exempt(row: &VoteRow) -> AppResult<Vec<Exempt>> {
    serde_json::from_str(&row.exempt)
        .map_err(|e| AppError::internal(format_args!("stored exemptions of a vote: {e}")))
}

/// One person on the ballot: the name and each position trimmed and within their limits.
/// `entry` names the person in an error (`subjects[2]`); empty for a line of CSV, which the
/// error names instead.
pub fn checked_subject(
    entry: &str,
    full_name: &str,
    positions: &[String],
) -> AppResult<(String, Vec<String>)> {
    let field = |name: &str| match entry {
        "" => name.to_owned(),
        _ => format!("{entry}.{name}"),
    };
    let full_name = text(&field("full_name"), full_name, 200)?;
    if positions.is_empty() || positions.len() > MAX_POSITIONS {
        let who = match entry {
            "" => full_name,
            _ => format!("{entry} ({full_name})"),
        };
        return Err(AppError::validation(format!(
            "{who} must list between 1 and {MAX_POSITIONS} positions."
        )));
    }
    let positions = positions
        .iter()
        .enumerate()
        .map(|(j, p)| text(&field(&format!("positions[{j}]")), p, 300))
        .collect::<AppResult<Vec<_>>>()?;
    Ok((full_name, positions))
}

pub fn list(conn: &mut DbConn, caller: &Caller, council_id: &str) -> AppResult<Vec<Vote>> {
    caller.read_council(council_id, "council")?;
    councils::find(conn, council_id)?.ok_or_else(|| AppError::not_found("council"))?;
    vote_rows::list_by_council(conn, council_id)?
        .into_iter()
        .map(|row| view(conn, LoadedVote::new(row)?))
        .collect()
}

/// Opens or closes the vote. Asking again for the state it is in answers with the vote as it
/// is; a step the lifecycle does not allow is `invalid-state`. Each step is logged in the
/// vote's event chain in the same transaction; the close also signs the record with `key`.
pub fn transition(
    conn: &mut DbConn,
    caller: &Caller,
    vote_id: &str,
    target: VoteState,
    key: &RecordKey,
) -> AppResult<Vote> {
    let verb = if target == VoteState::Open {
        "open"
    } else {
        "close"
    };
    let vote = load_visible(conn, caller, vote_id)?;
    caller.require(&[Role::Chair], &format!("{verb} votes"))?;
    let changed = db::write_transaction(conn, |conn| {
        // Read again under the lock: a racing request may have moved it.
        vote_rows::lock_state(conn, vote_id, Lock::Exclusive)?;
        let row = vote_rows::find(conn, vote_id)?.ok_or_else(|| AppError::not_found("vote"))?;
        let current = LoadedVote::new(row)?;
        match current.state.transition_to(target) {
            Transition::AlreadyThere => Ok(false),
            Transition::Impossible => Err(AppError::invalid_state(format!(
                "This vote is {}; it cannot be {verb}ed. Votes go draft → open → closed.",
                current.state.as_str()
            ))),
            Transition::Go => {
                let at = db::now();
                if !vote_rows::change_state(
                    conn,
                    vote_id,
                    current.state.as_str(),
                    target.as_str(),
                    at,
                )? {
                    return Err(AppError::internal(
                        "vote changed state under the write lock",
                    ));
                }
                match target {
                    VoteState::Open => {
                        if let Some(committee) = &current.row.committee_id {
                            committees::require_ready(conn, committee)?;
                            encrypted_ballots::fix_manifest(conn, &current)?;
                        }
                        let delegates = members::delegate_ids(conn, &current.row.council_id)?;
                        ballots::add_electors(conn, vote_id, &delegates)?;
                        let eligible = delegates.len() as u64;
                        records::log_event(conn, vote_id, EventKind::Opened, at, caller, eligible)?;
                    }
                    _ if current.secrecy == Secrecy::Committee => {
                        // No count exists until the committee decrypts the totals; the tally
                        // and the record are published then.
                        crate::db::encrypted::forget_ballot_ids(conn, vote_id)?;
                        decryption::sum_at_close(conn, &current)?;
                        let (_, cast) = vote_rows::turnout(conn, vote_id)?;
                        records::log_event(
                            conn,
                            vote_id,
                            EventKind::Closed,
                            at,
                            caller,
                            cast as u64,
                        )?;
                    }
                    _ => {
                        let cast = publish_tally(conn, &current, at)?;
                        records::log_event(conn, vote_id, EventKind::Closed, at, caller, cast)?;
                        let row = vote_rows::find(conn, vote_id)?
                            .ok_or_else(|| AppError::not_found("vote"))?;
                        records::seal(conn, &LoadedVote::new(row)?, key)?;
                    }
                }
                Ok(true)
            }
        }
    })?;
    if changed && target == VoteState::Closed {
        ballots::forget_cast_order(conn);
    }
    let fresh = load_visible(conn, caller, &vote.row.id)?;
    view(conn, fresh)
}

/// Counts the ballots of a vote being closed, replaces them by each subject's counts, and
/// stores the tally: all inside the closing transaction, so a closed vote always has its
/// tally and no longer any whole ballot. Returns the number of ballots cast.
fn publish_tally(
    conn: &mut DbConn,
    vote: &LoadedVote,
    closed_at: chrono::NaiveDateTime,
) -> AppResult<u64> {
    let vote_id = vote.row.id.clone();
    let subject_list = subjects(conn, &vote_id)?;
    let stored = ballots::marks_of(conn, &vote_id)?;
    let marks = stored
        .iter()
        .map(|m| Marks::decode(vote.kind, subject_list.len(), m))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| AppError::internal("a stored ballot does not match its vote's subjects"))?;
    let (_, cast) = vote_rows::turnout(conn, &vote_id)?;
    if cast != marks.len() as i64 {
        return Err(AppError::internal(format_args!(
            "{cast} delegates have cast but {} ballots are stored",
            marks.len()
        )));
    }
    let counted = Tally::count(vote.kind, subject_list.len(), 0, &marks);
    let counts = counted
        .results
        .into_iter()
        .map(|r| r.counts.into_iter().map(|(_, n)| n).collect())
        .collect();
    tallies::publish(conn, vote, closed_at, cast as u64, counts)?;
    Ok(cast as u64)
}

/// The published tally, exactly as stored at close, once checked against the signed record
/// as a download of the record is (`record-integrity` when they differ).
pub fn tally(
    conn: &mut DbConn,
    caller: &Caller,
    vote_id: &str,
    check: &RecordCheck,
) -> AppResult<String> {
    let vote = load_readable(conn, caller, vote_id)?;
    if vote.state != VoteState::Closed {
        return Err(AppError::new(
            crate::error::Problem::TallyNotPublished,
            format!(
                "The vote is {}; its tally is published when the chair closes it.",
                vote.state.as_str()
            ),
        ));
    }
    let body = match ballots::tally_of(conn, vote_id)? {
        Some(body) => body,
        None if vote.secrecy == Secrecy::Committee => return Err(committees::awaiting_decryption()),
        None => return Err(AppError::internal("a closed vote has no stored tally")),
    };
    records::checked(conn, &vote, check)?;
    Ok(body)
}
