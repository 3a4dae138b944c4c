//! Public results (Resolution 96 Art. 19(6)): the chair makes a closed vote's published tally
//! public, and anyone, signed in or not, reads the council's public tallies. Nothing else is
//! visible without sign-in.

use super::records;
use super::records::RecordCheck;
use super::visible::{load_visible, view, LoadedVote};
use super::Caller;
use crate::db::votes::{self as vote_rows, Lock};
use crate::db::{self, ballots, councils, DbConn};
use crate::domain::{Role, VoteState};
use crate::error::{AppError, AppResult};
use crate::shapes::Vote;

/// Makes the vote's published tally public (chair, admin); asking again changes nothing.
pub fn publish(conn: &mut DbConn, caller: &Caller, vote_id: &str) -> AppResult<Vote> {
    load_visible(conn, caller, vote_id)?;
    caller.require(&[Role::Chair, Role::Admin], "make results public")?;
    db::write_transaction(conn, |conn| {
        vote_rows::lock_state(conn, vote_id, Lock::Exclusive)?;
        let vote = load_visible(conn, caller, vote_id)?;
        if vote.state != VoteState::Closed {
            return Err(AppError::invalid_state(format!(
                "This vote is {}; its results can be made public once it is closed and its \
                 tally published.",
                vote.state.as_str()
            )));
        }
        if ballots::tally_of(conn, vote_id)?.is_none() {
            return Err(AppError::invalid_state(
                "This vote is closed but its tally is not published yet: the counting \
                 committee must first decrypt the totals (docs/verifiable.md §7); then make it \
                 public.",
            ));
        }
        Ok(vote_rows::make_public(conn, vote_id, db::now())?)
    })?;
    let vote = load_visible(conn, caller, vote_id)?;
    view(conn, vote)
}

/// The council's public tallies, the most recently closed first, as a JSON array: each is the
/// tally as `GET /votes/{vote_id}/tally` serves it (checked against its signed record the
/// same way), with the council's name added as `council_name`.
pub fn public_results(
    conn: &mut DbConn,
    council_id: &str,
    check: &RecordCheck,
) -> AppResult<String> {
    let council =
        councils::find(conn, council_id)?.ok_or_else(|| AppError::not_found("council"))?;
    let name = serde_json::to_string(&council.name).map_err(AppError::internal)?;
    let mut tallies = Vec::new();
    for row in vote_rows::public_in_council(conn, council_id)? {
        let vote = LoadedVote::new(row)?;
        let body = ballots::tally_of(conn, &vote.row.id)?
            .ok_or_else(|| AppError::internal("a public vote has no stored tally"))?;
        records::checked(conn, &vote, check)?;
        tallies.push(with_council_name(&body, &name)?);
    }
    Ok(format!("[{}]", tallies.join(",")))
}

/// The stored tally with `"council_name"` first, its own bytes otherwise kept as stored (the
/// order of its keys included, which parsing would lose).
fn with_council_name(tally: &str, name_json: &str) -> AppResult<String> {
    let fields = tally
        .trim_start()
        .strip_prefix('{')
        .filter(|rest| !rest.trim_start().starts_with('}') && !rest.contains("\"council_name\":"))
        .ok_or_else(|| AppError::internal("a stored tally is not an object of its fields"))?;
    Ok(format!("{{\"council_name\":{name_json},{fields}"))
}

#[cfg(test)]
mod tests {
    use super::with_council_name;

    #[test]
    fn the_council_name_is_added_and_the_tally_kept() {
        let named = with_council_name(r#"{"vote_id":"v","results":[]}"#, r#""HĐND \"A\"""#);
        let named = named.unwrap();
        assert_eq!(
            named,
            r#"{"council_name":"HĐND \"A\"","vote_id":"v","results":[]}"#
        );
        assert!(serde_json::from_str::<serde_json::Value>(&named).is_ok());
        assert!(with_council_name("{}", "\"A\"").is_err());
        assert!(with_council_name("[]", "\"A\"").is_err());
    }
}
