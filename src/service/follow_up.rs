//! The follow-up vote (DOMAIN.md, Lifecycle): after a rating vote in which someone has
//! `may_resign` or `dismissal_required`, a confidence vote for them, created in draft from
//! the published tally so that the chair only removes anyone who resigned.

use super::records::RecordCheck;
use serde::Deserialize;

use super::visible::{load_visible, view, LoadedVote};
use super::{records, votes, Caller};
use crate::db::votes::{self as vote_rows, Lock, VoteRow};
use crate::db::{self, ballots, DbConn};
use crate::domain::{Role, VoteKind, VoteState};
use crate::error::{AppError, AppResult};
use crate::record::chain::EventKind;
use crate::shapes::{NewSubject, Vote};

/// What the follow-up needs from a published tally.
#[derive(Deserialize)]
struct PublishedTally {
    results: Vec<PublishedResult>,
}

#[derive(Deserialize)]
struct PublishedResult {
    full_name: String,
    positions: Vec<String>,
    outcome: String,
}

/// The outcomes (as a tally publishes them) that call for a confidence vote.
const QUALIFYING: [&str; 2] = ["may_resign", "dismissal_required"];

/// Creates the follow-up of the closed rating vote `vote_id` (admin, chair): a confidence vote
/// in draft with the same percent base, secrecy and committee, whose subjects are the people
/// whose outcome is `may_resign` or `dismissal_required`, in ballot order.
pub fn create(
    conn: &mut DbConn,
    caller: &Caller,
    vote_id: &str,
    check: &RecordCheck,
) -> AppResult<Vote> {
    let source = load_visible(conn, caller, vote_id)?;
    caller.require(&[Role::Admin, Role::Chair], "create a follow-up vote")?;
    let tally = published_tally(conn, &source, check)?;
    refuse_second(conn, vote_id)?;
    let subjects: Vec<NewSubject> = tally
        .results
        .into_iter()
        .filter(|r| QUALIFYING.contains(&r.outcome.as_str()))
        .map(|r| NewSubject {
            full_name: r.full_name,
            positions: r.positions,
        })
        .collect();
    if subjects.is_empty() {
        return Err(AppError::validation(
            "Nobody in this vote's tally has the outcome may_resign or dismissal_required, so \
             no follow-up confidence vote is needed.",
        ));
    }
    let follow_up = VoteRow {
        id: uuid::Uuid::new_v4().to_string(),
        council_id: source.row.council_id.clone(),
        title: title(&source.row.title),
        kind: VoteKind::Confidence.as_str().to_owned(),
        percent_base: source.row.percent_base.clone(),
        state: VoteState::Draft.as_str().to_owned(),
        created_at: db::now(),
        opened_at: None,
        closed_at: None,
        secrecy: source.row.secrecy.clone(),
        // One key ceremony serves several votes of the same committee (docs/verifiable.md §9).
        committee_id: source.row.committee_id.clone(),
        manifest_hash: None,
        follow_up_of: Some(vote_id.to_owned()),
        public_at: None,
        // Nobody is exempt from a follow-up: it rates exactly the people who qualify.
        exempt: "[]".to_owned(),
    };
    let subject_rows = votes::subject_rows(&follow_up.id, &subjects)?;
    db::write_transaction(conn, |conn| {
        // Two requests at once make one follow-up: the second waits here, then finds it.
        vote_rows::lock_state(conn, vote_id, Lock::Exclusive)?;
        refuse_second(conn, vote_id)?;
        vote_rows::insert(conn, &follow_up, &subject_rows).map_err(|e| {
            if db::is_unique_violation(&e) {
                already_followed(&follow_up.id)
            } else {
                e.into()
            }
        })?;
        records::log_event(
            conn,
            &follow_up.id,
            EventKind::Created,
            follow_up.created_at,
            caller,
            subject_rows.len() as u64,
        )
    })?;
    let created = load_visible(conn, caller, &follow_up.id)?;
    view(conn, created)
}

/// The tally of a closed rating vote, once published (and, for a server vote, checked against
/// its signed record as every download of the tally is); `invalid-state` saying why not.
fn published_tally(
    conn: &mut DbConn,
    vote: &LoadedVote,
    check: &RecordCheck,
) -> AppResult<PublishedTally> {
    if vote.kind != VoteKind::Rating {
        return Err(AppError::invalid_state(
            "This is a confidence vote (bỏ phiếu tín nhiệm); a follow-up vote follows a rating \
             vote (lấy phiếu tín nhiệm).",
        ));
    }
    if vote.state != VoteState::Closed {
        return Err(AppError::invalid_state(format!(
            "This vote is {}; its follow-up vote can be created once it is closed and its \
             tally published.",
            vote.state.as_str()
        )));
    }
    let Some(body) = ballots::tally_of(conn, &vote.row.id)? else {
        return Err(AppError::invalid_state(
            "This vote is closed but its tally is not published yet: the counting committee \
             must first decrypt the totals (docs/verifiable.md §7).",
        ));
    };
    records::checked(conn, vote, check)?;
    serde_json::from_str(&body)
        .map_err(|e| AppError::internal(format_args!("the stored tally of a vote: {e}")))
}

fn refuse_second(conn: &mut DbConn, vote_id: &str) -> AppResult<()> {
    match vote_rows::follow_up_of(conn, vote_id)? {
        Some(existing) => Err(already_followed(&existing)),
        None => Ok(()),
    }
}

fn already_followed(existing: &str) -> AppError {
    AppError::invalid_state(format!(
        "This vote already has its follow-up vote ({existing}); edit that draft instead, \
         removing anyone who resigned."
    ))
}

/// "Lấy phiếu tín nhiệm …" becomes "Bỏ phiếu tín nhiệm …", the names of the two kinds;
/// any other title is prefixed with the follow-up's kind.
fn title(rating_title: &str) -> String {
    const RATING: &str = "Lấy phiếu tín nhiệm";
    const CONFIDENCE: &str = "Bỏ phiếu tín nhiệm";
    let title = match rating_title.strip_prefix(RATING) {
        Some(rest) => format!("{CONFIDENCE}{rest}"),
        None => format!("{CONFIDENCE}: {rating_title}"),
    };
    // Within the 300 characters a title may have.
    title.chars().take(300).collect()
}

#[cfg(test)]
mod tests {
    use super::title;

    #[test]
    fn the_title_names_the_confidence_vote() {
        assert_eq!(
            title("Lấy phiếu tín nhiệm giữa nhiệm kỳ"),
            "Bỏ phiếu tín nhiệm giữa nhiệm kỳ"
        );
        assert_eq!(title("Kỳ họp thứ 14"), "Bỏ phiếu tín nhiệm: Kỳ họp thứ 14");
        assert_eq!(title(&"x".repeat(300)).chars().count(), 300);
    }
}
