//! The `committees`, `committee_members` and `committee_shares` tables.

use diesel::prelude::*;

use super::schema::{committee_members, committee_shares, committees, members};
use super::DbConn;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = committees)]
pub struct CommitteeRow {
    pub id: String,
    pub council_id: String,
    pub threshold: i32,
    pub size: i32,
    /// `forming`, `ready` or `failed`.
    pub state: String,
    pub joint_key: Option<String>,
    pub failure: Option<String>,
    pub created_at: chrono::NaiveDateTime,
}

/// One member's seat in the ceremony and what they have published so far.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = committee_members)]
pub struct SeatRow {
    pub committee_id: String,
    pub position: i32,
    pub member_id: String,
    pub sealing_key: Option<String>,
    pub sealing_proof: Option<String>,
    pub commitment_hash: Option<String>,
    pub commitments: Option<String>,
    pub proofs: Option<String>,
    pub confirmation: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = committee_shares)]
pub struct SealedRow {
    pub committee_id: String,
    pub sender: i32,
    pub recipient: i32,
    pub sealed: String,
}

pub fn insert(conn: &mut DbConn, committee: &CommitteeRow, seats: &[SeatRow]) -> QueryResult<()> {
    diesel::insert_into(committees::table)
        .values(committee)
        .execute(conn)?;
    for seat in seats {
        diesel::insert_into(committee_members::table)
            .values(seat)
            .execute(conn)?;
    }
    Ok(())
}

pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<CommitteeRow>> {
    committees::table
        .find(id)
        .select(CommitteeRow::as_select())
        .first(conn)
        .optional()
}

/// The council's committees that have not failed, newest last.
pub fn usable_in_council(conn: &mut DbConn, council_id: &str) -> QueryResult<Vec<CommitteeRow>> {
    committees::table
        .filter(committees::council_id.eq(council_id))
        .filter(committees::state.ne("failed"))
        .order((committees::created_at, committees::id))
        .select(CommitteeRow::as_select())
        .load(conn)
}

/// The seats in position order, with each member's full name.
pub fn seats(conn: &mut DbConn, committee_id: &str) -> QueryResult<Vec<(SeatRow, String)>> {
    committee_members::table
        .inner_join(members::table)
        .filter(committee_members::committee_id.eq(committee_id))
        .order(committee_members::position)
        .select((SeatRow::as_select(), members::full_name))
        .load(conn)
}

pub fn update_seat(conn: &mut DbConn, seat: &SeatRow) -> QueryResult<()> {
    diesel::update(
        committee_members::table
            .filter(committee_members::committee_id.eq(&seat.committee_id))
            .filter(committee_members::position.eq(seat.position)),
    )
    .set((
        committee_members::sealing_key.eq(&seat.sealing_key),
        committee_members::sealing_proof.eq(&seat.sealing_proof),
        committee_members::commitment_hash.eq(&seat.commitment_hash),
        committee_members::commitments.eq(&seat.commitments),
        committee_members::proofs.eq(&seat.proofs),
        committee_members::confirmation.eq(&seat.confirmation),
    ))
    .execute(conn)
    .map(|_| ())
}

pub fn insert_sealed(conn: &mut DbConn, rows: &[SealedRow]) -> QueryResult<()> {
    for row in rows {
        diesel::insert_into(committee_shares::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

/// Every sealed value of the ceremony, by sender then recipient.
pub fn sealed(conn: &mut DbConn, committee_id: &str) -> QueryResult<Vec<SealedRow>> {
    committee_shares::table
        .filter(committee_shares::committee_id.eq(committee_id))
        .order((committee_shares::sender, committee_shares::recipient))
        .select(SealedRow::as_select())
        .load(conn)
}

/// Moves the committee to `state` (with its key or the reason it failed).
pub fn settle(
    conn: &mut DbConn,
    id: &str,
    state: &str,
    joint_key: Option<&str>,
    failure: Option<&str>,
) -> QueryResult<()> {
    diesel::update(committees::table.find(id))
        .set((
            committees::state.eq(state),
            committees::joint_key.eq(joint_key),
            committees::failure.eq(failure),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Holds the committee's row against concurrent ceremony steps until the transaction ends
/// (SQLite's write transactions already hold the whole database).
pub fn lock(conn: &mut DbConn, id: &str) -> QueryResult<()> {
    match conn {
        DbConn::Pg(c) => committees::table
            .find(id)
            .select(committees::id)
            .for_update()
            .first::<String>(c)
            .map(|_| ()),
        DbConn::Sqlite(_) => Ok(()),
    }
}
