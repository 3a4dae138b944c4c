//! Committee votes' ballots (`encrypted_ballots`) and the ballot ids issued to electors.

use diesel::prelude::*;

use super::schema::{
    electors, encrypted_ballots, encrypted_sums, members, partial_decryptions, votes,
};
use super::DbConn;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = encrypted_ballots)]
pub struct EncryptedRow {
    /// The ballot id the proofs are bound to (hex).
    pub id: String,
    pub vote_id: String,
    /// The ballot's bytes, base64.
    pub ballot: String,
    pub cells_hash: String,
    pub tracking_code: String,
}

/// The ballot id issued to an elector who has not cast: the one already issued, or a fresh
/// random one. `None` when they are not an elector or have cast.
pub fn issue_ballot_id(
    conn: &mut DbConn,
    vote_id: &str,
    member_id: &str,
) -> QueryResult<Option<String>> {
    let row: Option<(bool, Option<String>)> = electors::table
        .find((vote_id, member_id))
        .select((electors::has_cast, electors::ballot_id))
        .first(conn)
        .optional()?;
    match row {
        Some((false, Some(id))) => Ok(Some(id)),
        Some((false, None)) => {
            let mut id = [0u8; 16];
            rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut id);
            let id = tinnhiem_crypto::hex::encode(&id);
            diesel::update(electors::table.find((vote_id, member_id)))
                .filter(electors::ballot_id.is_null())
                .set(electors::ballot_id.eq(&id))
                .execute(conn)?;
            // A racing fetch may have issued one first: theirs stands.
            electors::table
                .find((vote_id, member_id))
                .select(electors::ballot_id)
                .first(conn)
        }
        _ => Ok(None),
    }
}

/// Records that the member has cast, as `ballots::mark_cast` does, if the ballot carries the
/// id issued to them; the id is cleared in the same statement, so that nothing links them to
/// the ballot stored. False when anything fails: nothing was written.
pub fn mark_cast(
    conn: &mut DbConn,
    vote_id: &str,
    member_id: &str,
    token_version: i32,
    ballot_id: &str,
) -> QueryResult<bool> {
    let standing = members::table
        .filter(members::id.eq(member_id))
        .filter(members::active.eq(true))
        .filter(members::token_version.eq(token_version));
    let changed = diesel::update(electors::table.find((vote_id, member_id)))
        .filter(electors::has_cast.eq(false))
        .filter(electors::ballot_id.eq(ballot_id))
        .filter(diesel::dsl::exists(standing))
        .set((
            electors::has_cast.eq(true),
            electors::ballot_id.eq(None::<String>),
        ))
        .execute(conn)?;
    Ok(changed == 1)
}

/// Whether the vote already holds a ballot with these ciphertexts.
pub fn is_copy(conn: &mut DbConn, vote_id: &str, cells_hash: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        encrypted_ballots::table
            .filter(encrypted_ballots::vote_id.eq(vote_id))
            .filter(encrypted_ballots::cells_hash.eq(cells_hash)),
    ))
    .get_result(conn)
}

pub fn insert(conn: &mut DbConn, row: &EncryptedRow) -> QueryResult<()> {
    diesel::insert_into(encrypted_ballots::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// Every ballot of the vote, by id (random, so in no meaningful order).
pub fn of_vote(conn: &mut DbConn, vote_id: &str) -> QueryResult<Vec<EncryptedRow>> {
    encrypted_ballots::table
        .filter(encrypted_ballots::vote_id.eq(vote_id))
        .order(encrypted_ballots::id)
        .select(EncryptedRow::as_select())
        .load(conn)
}

/// The order a page of ballots is read in.
#[derive(Clone, Copy)]
pub enum PageOrder {
    /// By ballot id: the member's tool reads them so.
    Id,
    /// By tracking code: the order of a record's ballots.
    TrackingCode,
}

/// Up to `limit` ballots of the vote that follow `after` in `order` (an id, or a tracking code).
pub fn page_of(
    conn: &mut DbConn,
    vote_id: &str,
    order: PageOrder,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<EncryptedRow>> {
    let mut query = encrypted_ballots::table
        .filter(encrypted_ballots::vote_id.eq(vote_id))
        .into_boxed();
    query = match (order, after) {
        (PageOrder::Id, Some(after)) => query.filter(encrypted_ballots::id.gt(after)),
        (PageOrder::TrackingCode, Some(after)) => {
            query.filter(encrypted_ballots::tracking_code.gt(after))
        }
        (_, None) => query,
    };
    query = match order {
        PageOrder::Id => query.order(encrypted_ballots::id),
        PageOrder::TrackingCode => query.order(encrypted_ballots::tracking_code),
    };
    query
        .limit(limit)
        .select(EncryptedRow::as_select())
        .load(conn)
}

pub fn set_manifest_hash(conn: &mut DbConn, vote_id: &str, hash: &str) -> QueryResult<()> {
    diesel::update(votes::table.find(vote_id))
        .set(votes::manifest_hash.eq(hash))
        .execute(conn)
        .map(|_| ())
}

/// Clears the ballot ids issued to electors who never cast, as the vote closes.
pub fn forget_ballot_ids(conn: &mut DbConn, vote_id: &str) -> QueryResult<()> {
    diesel::update(electors::table.filter(electors::vote_id.eq(vote_id)))
        .filter(electors::ballot_id.is_not_null())
        .set(electors::ballot_id.eq(None::<String>))
        .execute(conn)
        .map(|_| ())
}

/// Stores the sums of a committee vote's cells as it closes: (ballots summed, JSON sums).
pub fn save_sums(conn: &mut DbConn, vote_id: &str, ballots: i32, sums: &str) -> QueryResult<()> {
    diesel::insert_into(encrypted_sums::table)
        .values((
            encrypted_sums::vote_id.eq(vote_id),
            encrypted_sums::ballots.eq(ballots),
            encrypted_sums::sums.eq(sums),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Every stored ballot's tracking code (hex), in ascending order: the list the sums are of.
pub fn tracking_codes_of(conn: &mut DbConn, vote_id: &str) -> QueryResult<Vec<String>> {
    encrypted_ballots::table
        .filter(encrypted_ballots::vote_id.eq(vote_id))
        .select(encrypted_ballots::tracking_code)
        .order(encrypted_ballots::tracking_code.asc())
        .load(conn)
}

pub fn sums_of(conn: &mut DbConn, vote_id: &str) -> QueryResult<Option<(i32, String)>> {
    encrypted_sums::table
        .find(vote_id)
        .select((encrypted_sums::ballots, encrypted_sums::sums))
        .first(conn)
        .optional()
}

pub fn save_partial(
    conn: &mut DbConn,
    vote_id: &str,
    position: i32,
    shares: &str,
) -> QueryResult<()> {
    diesel::insert_into(partial_decryptions::table)
        .values((
            partial_decryptions::vote_id.eq(vote_id),
            partial_decryptions::position.eq(position),
            partial_decryptions::shares.eq(shares),
        ))
        .execute(conn)
        .map(|_| ())
}

/// The partial decryptions received, by position.
pub fn partials_of(conn: &mut DbConn, vote_id: &str) -> QueryResult<Vec<(i32, String)>> {
    partial_decryptions::table
        .filter(partial_decryptions::vote_id.eq(vote_id))
        .order(partial_decryptions::position)
        .select((partial_decryptions::position, partial_decryptions::shares))
        .load(conn)
}

/// Whether the vote holds a ballot with this tracking code (lowercase hex).
pub fn has_tracking_code(conn: &mut DbConn, vote_id: &str, code: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        encrypted_ballots::table
            .filter(encrypted_ballots::vote_id.eq(vote_id))
            .filter(encrypted_ballots::tracking_code.eq(code)),
    ))
    .get_result(conn)
}
