//! Councils: created and listed by admins, seen by their own members.

use super::visible::LoadedVote;
use super::{text, Caller};
use crate::db::councils::{self, CouncilRow};
use crate::db::votes as vote_rows;
use crate::db::{self, ballots, DbConn};
use crate::domain::{Role, VoteState};
use crate::error::{AppError, AppResult};
use crate::shapes::{rfc3339, ChildCouncil, Council, NewCouncil, SetParent, VoteProgress};

/// The most seats a council may have (the National Assembly has 500).
pub const MAX_SEATS: i64 = 10_000;

fn view(row: CouncilRow) -> Council {
    Council {
        id: row.id,
        name: row.name,
        seats: row.seats,
        created_at: rfc3339(row.created_at),
        parent_id: row.parent_id,
    }
}

pub fn create(conn: &mut DbConn, caller: &Caller, input: NewCouncil) -> AppResult<Council> {
    caller.require(&[Role::Admin], "create councils")?;
    let name = text("name", &input.name, 200)?;
    if !(1..=MAX_SEATS).contains(&input.seats) {
        return Err(AppError::validation(format!(
            "seats must be between 1 and {MAX_SEATS}: the number of delegates the council has."
        )));
    }
    let id = uuid::Uuid::new_v4().to_string();
    let parent_id = match input.parent_id.as_deref() {
        Some(parent) => Some(valid_parent(conn, &id, parent)?),
        None => None,
    };
    let row = CouncilRow {
        id,
        name,
        seats: input.seats as i32,
        created_at: db::now(),
        parent_id,
    };
    councils::insert(conn, &row)?;
    Ok(view(row))
}

/// The most councils above one another: a nation, provinces, districts, communes, and room.
const MAX_DEPTH: usize = 16;

/// `parent` as the parent of council `id`: an existing council, not `id` itself, and not a
/// council below `id` (which would make a cycle). 422 saying which.
fn valid_parent(conn: &mut DbConn, id: &str, parent: &str) -> AppResult<String> {
    let parent = parent.trim();
    if parent == id {
        return Err(AppError::validation(
            "parent_id names this council itself; a council cannot be its own parent.",
        ));
    }
    let mut above = councils::find(conn, parent)?.ok_or_else(|| {
        AppError::validation(format!(
            "parent_id {parent:?} is not a council; give the id of an existing council, or null."
        ))
    })?;
    let mut depth = 1;
    while let Some(next) = above.parent_id.clone() {
        depth += 1;
        if next == id {
            return Err(AppError::validation(
                "parent_id names a council below this one; that would make the councils a \
                 circle. Choose a council above this one, or change the other council first.",
            ));
        }
        if depth > MAX_DEPTH {
            return Err(AppError::validation(format!(
                "parent_id would put this council more than {MAX_DEPTH} levels deep."
            )));
        }
        above = councils::find(conn, &next)?
            .ok_or_else(|| AppError::internal("a council's parent is missing"))?;
    }
    Ok(parent.to_owned())
}

/// Sets or removes (None) the council above council `id` (admin).
pub fn set_parent(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    input: SetParent,
) -> AppResult<Council> {
    caller.require(&[Role::Admin], "set a council's parent")?;
    db::write_transaction(conn, |conn| {
        councils::find(conn, id)?.ok_or_else(|| AppError::not_found("council"))?;
        let parent = match input.parent_id.as_deref() {
            Some(parent) => Some(valid_parent(conn, id, parent)?),
            None => None,
        };
        councils::set_parent(conn, id, parent.as_deref())?;
        Ok::<_, AppError>(())
    })?;
    get(conn, caller, id)
}

/// The councils below council `id`, each with its votes' progress: for the admin and the
/// council's supervisors. Nothing in it reveals a ballot or a count of any choice.
pub fn children(conn: &mut DbConn, caller: &Caller, id: &str) -> AppResult<Vec<ChildCouncil>> {
    caller.see_council(id, "council")?;
    caller.require(
        &[Role::Admin, Role::Supervisor],
        "list the councils below this one",
    )?;
    councils::find(conn, id)?.ok_or_else(|| AppError::not_found("council"))?;
    let mut out = Vec::new();
    for child in councils::children(conn, id)? {
        let mut votes = Vec::new();
        for row in vote_rows::list_by_council(conn, &child.id)? {
            let vote = LoadedVote::new(row)?;
            let (eligible, cast) = vote_rows::turnout(conn, &vote.row.id)?;
            votes.push(VoteProgress {
                tally_published: ballots::has_tally(conn, &vote.row.id)?,
                public: vote.row.public_at.is_some(),
                eligible: (vote.state != VoteState::Draft).then_some(eligible),
                ballots_cast: cast,
                kind: vote.kind,
                state: vote.state,
                opened_at: vote.row.opened_at.map(rfc3339),
                closed_at: vote.row.closed_at.map(rfc3339),
                id: vote.row.id,
                title: vote.row.title,
            });
        }
        out.push(ChildCouncil {
            id: child.id,
            name: child.name,
            seats: child.seats,
            votes,
        });
    }
    Ok(out)
}

pub fn list(conn: &mut DbConn, caller: &Caller) -> AppResult<Vec<Council>> {
    caller.require(&[Role::Admin], "list every council")?;
    Ok(councils::list(conn)?.into_iter().map(view).collect())
}

pub fn get(conn: &mut DbConn, caller: &Caller, id: &str) -> AppResult<Council> {
    caller.read_council(id, "council")?;
    councils::find(conn, id)?
        .map(view)
        .ok_or_else(|| AppError::not_found("council"))
}
