//! The `councils` table.

use diesel::prelude::*;

use super::schema::councils;
use super::DbConn;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = councils)]
pub struct CouncilRow {
    pub id: String,
    pub name: String,
    pub seats: i32,
    pub created_at: chrono::NaiveDateTime,
    /// The council above this one, whose supervisors read this council's votes.
    pub parent_id: Option<String>,
}

pub fn insert(conn: &mut DbConn, row: &CouncilRow) -> QueryResult<()> {
    diesel::insert_into(councils::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<CouncilRow>> {
    councils::table
        .find(id)
        .select(CouncilRow::as_select())
        .first(conn)
        .optional()
}

pub fn list(conn: &mut DbConn) -> QueryResult<Vec<CouncilRow>> {
    councils::table
        .order((councils::created_at, councils::id))
        .select(CouncilRow::as_select())
        .load(conn)
}

/// The councils whose parent is `parent_id`, oldest first.
pub fn children(conn: &mut DbConn, parent_id: &str) -> QueryResult<Vec<CouncilRow>> {
    councils::table
        .filter(councils::parent_id.eq(parent_id))
        .order((councils::created_at, councils::id))
        .select(CouncilRow::as_select())
        .load(conn)
}

pub fn children_ids(conn: &mut DbConn, parent_id: &str) -> QueryResult<Vec<String>> {
    councils::table
        .filter(councils::parent_id.eq(parent_id))
        .select(councils::id)
        .load(conn)
}

pub fn set_parent(conn: &mut DbConn, id: &str, parent_id: Option<&str>) -> QueryResult<bool> {
    diesel::update(councils::table.find(id))
        .set(councils::parent_id.eq(parent_id))
        .execute(conn)
        .map(|n| n == 1)
}
