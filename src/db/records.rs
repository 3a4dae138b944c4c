//! The event log of each vote (`vote_events`), the signed records (`records`), and the names
//! of a vote's electors for the record.

use diesel::prelude::*;

use super::schema::{electors, members, records, vote_events};
use super::{on_backend, DbConn};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = vote_events)]
pub struct EventRow {
    pub vote_id: String,
    pub seq: i32,
    pub kind: String,
    pub occurred_at: chrono::NaiveDateTime,
    pub actor_id: String,
    pub actor_username: String,
    pub actor_full_name: String,
    /// A JSON object of counts, e.g. `{"eligible":47}`.
    pub counts: String,
    pub prev_hash: String,
    pub hash: String,
}

pub fn insert_event(conn: &mut DbConn, row: &EventRow) -> QueryResult<()> {
    diesel::insert_into(vote_events::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// The vote's events in order.
pub fn events_of(conn: &mut DbConn, vote_id: &str) -> QueryResult<Vec<EventRow>> {
    vote_events::table
        .filter(vote_events::vote_id.eq(vote_id))
        .order(vote_events::seq)
        .select(EventRow::as_select())
        .load(conn)
}

/// The signed record: `(canonical body, base64 signature)`.
pub fn record_of(conn: &mut DbConn, vote_id: &str) -> QueryResult<Option<(String, String)>> {
    records::table
        .find(vote_id)
        .select((records::body, records::signature))
        .first(conn)
        .optional()
}

pub fn insert_record(
    conn: &mut DbConn,
    vote_id: &str,
    body: &str,
    signature: &str,
) -> QueryResult<()> {
    diesel::insert_into(records::table)
        .values((
            records::vote_id.eq(vote_id),
            records::body.eq(body),
            records::signature.eq(signature),
        ))
        .execute(conn)
        .map(|_| ())
}

/// `(full name, username, has cast)` of each of the vote's electors, in no particular order.
pub fn electors_named(
    conn: &mut DbConn,
    vote_id: &str,
) -> QueryResult<Vec<(String, String, bool)>> {
    let query = electors::table
        .inner_join(members::table)
        .filter(electors::vote_id.eq(vote_id))
        .select((members::full_name, members::username, electors::has_cast));
    // On the backend's own connection: a large council's list loads much faster.
    on_backend!(conn, |c| query.load(c))
}
