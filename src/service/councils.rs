//! Councils: created and listed by admins, seen by their own members.

use super::{text, Caller};
use crate::db::councils::{self, CouncilRow};
use crate::db::{self, DbConn};
use crate::domain::Role;
use crate::error::{AppError, AppResult};
use crate::shapes::{rfc3339, Council, NewCouncil};

/// The most seats a council may have (the National Assembly has 500).
pub const MAX_SEATS: i64 = 10_000;

fn view(row: CouncilRow) -> Council {
    Council {
        id: row.id,
        name: row.name,
        seats: row.seats,
        created_at: rfc3339(row.created_at),
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
    let row = CouncilRow {
        id: uuid::Uuid::new_v4().to_string(),
        name,
        seats: input.seats as i32,
        created_at: db::now(),
    };
    councils::insert(conn, &row)?;
    Ok(view(row))
}

pub fn list(conn: &mut DbConn, caller: &Caller) -> AppResult<Vec<Council>> {
    caller.require(&[Role::Admin], "list every council")?;
    Ok(councils::list(conn)?.into_iter().map(view).collect())
}

pub fn get(conn: &mut DbConn, caller: &Caller, id: &str) -> AppResult<Council> {
    caller.see_council(id, "council")?;
    councils::find(conn, id)?
        .map(view)
        .ok_or_else(|| AppError::not_found("council"))
}
