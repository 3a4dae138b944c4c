//! Publishing a closed vote's tally from its counts, however they were made (marks counted at
//! the close, or totals decrypted by the committee): the percent base, percentages and
//! outcomes of DOMAIN.md, stored once.

use super::visible::{subjects, LoadedVote};
use crate::db::votes as vote_rows;
use crate::db::{ballots, councils, DbConn};
use crate::domain::{PercentBase, Tally};
use crate::error::{AppError, AppResult};
use crate::shapes::{self, rfc3339, SubjectTally};

/// Publishes the tally of a closed vote from each subject's count of each choice (in the
/// kind's order), with the percent base, percentages and outcomes of DOMAIN.md.
pub fn publish(
    conn: &mut DbConn,
    vote: &LoadedVote,
    closed_at: chrono::NaiveDateTime,
    cast: u64,
    counts: Vec<Vec<u64>>,
) -> AppResult<()> {
    let vote_id = vote.row.id.clone();
    let subject_list = subjects(conn, &vote_id)?;
    let (eligible, _) = vote_rows::turnout(conn, &vote_id)?;
    let council = councils::find(conn, &vote.row.council_id)?
        .ok_or_else(|| AppError::internal("a vote's council is missing"))?;
    let base = match vote.percent_base {
        PercentBase::Ballots => cast,
        PercentBase::Seats => council.seats as u64,
    };
    let counted = Tally::from_counts(vote.kind, base, cast, counts);
    let tally = shapes::Tally {
        vote_id: vote_id.clone(),
        council_id: vote.row.council_id.clone(),
        title: vote.row.title.clone(),
        kind: vote.kind,
        percent_base: vote.percent_base,
        secrecy: vote.secrecy,
        base,
        seats: council.seats,
        eligible,
        ballots_cast: cast as i64,
        opened_at: vote.row.opened_at.map(rfc3339),
        closed_at: Some(rfc3339(closed_at)),
        results: subject_list
            .into_iter()
            .zip(counted.results)
            .map(|(s, r)| {
                let names = r.counts.iter().map(|(c, _)| c.as_str()).chain(["blank"]);
                SubjectTally {
                    subject_id: s.id,
                    full_name: s.full_name,
                    positions: s.positions,
                    counts: r
                        .counts
                        .iter()
                        .map(|(c, n)| (c.as_str(), *n))
                        .chain([("blank", r.blank)])
                        .collect(),
                    percents: names.zip(r.percents).collect(),
                    outcome: r.outcome,
                }
            })
            .collect(),
        exempt: super::votes::stored_exempt(&vote.row)?,
    };
    // What the vote keeps from now on: each subject's counts, and no ballot (a server vote's
    // ballots are deleted here, in the closing transaction).
    let mut kept = Vec::new();
    for result in &tally.results {
        for (choice, n) in &result.counts {
            kept.push(ballots::SubjectCount {
                vote_id: vote_id.clone(),
                subject_id: result.subject_id.clone(),
                choice: (*choice).to_owned(),
                total: i32::try_from(*n).map_err(AppError::internal)?,
            });
        }
    }
    ballots::replace_with_counts(conn, &vote_id, &kept)?;
    let body = serde_json::to_string(&tally).map_err(AppError::internal)?;
    ballots::save_tally(conn, &vote_id, &body)?;
    Ok(())
}
