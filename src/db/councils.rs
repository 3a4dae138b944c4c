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
