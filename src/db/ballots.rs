//! Who may cast and who has (`electors`), what was cast (`ballots`), and the published tally.
//! The two halves are never written with anything that could join them.

use diesel::prelude::*;

use super::schema::{ballots, electors, members, tallies};
use super::{on_backend, DbConn};

/// Fixes the electorate when the vote opens.
pub fn add_electors(conn: &mut DbConn, vote_id: &str, member_ids: &[String]) -> QueryResult<()> {
    for member_id in member_ids {
        diesel::insert_into(electors::table)
            .values((
                electors::vote_id.eq(vote_id),
                electors::member_id.eq(member_id),
                electors::has_cast.eq(false),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// `None` when the member is not an elector of the vote; otherwise whether they have cast.
pub fn elector_has_cast(
    conn: &mut DbConn,
    vote_id: &str,
    member_id: &str,
) -> QueryResult<Option<bool>> {
    electors::table
        .find((vote_id, member_id))
        .select(electors::has_cast)
        .first(conn)
        .optional()
}

/// Records that the member has cast, if they are an elector of the vote who has not cast yet and
/// the token they cast with still stands (the member is active and their token version is the
/// one it carries). False when any of that fails: nothing was written.
pub fn mark_cast(
    conn: &mut DbConn,
    vote_id: &str,
    member_id: &str,
    token_version: i32,
) -> QueryResult<bool> {
    let token_stands = members::table
        .filter(members::id.eq(member_id))
        .filter(members::active.eq(true))
        .filter(members::token_version.eq(token_version));
    let mark = diesel::update(
        electors::table
            .find((vote_id, member_id))
            .filter(electors::has_cast.eq(false))
            .filter(diesel::dsl::exists(token_stands)),
    )
    .set(electors::has_cast.eq(true));
    let changed = on_backend!(conn, |c| mark.execute(c))?;
    Ok(changed == 1)
}

/// Stores a ballot's marks under a fresh random id (from a cryptographic generator, so ids say
/// nothing about when a ballot came in).
pub fn insert_ballot(conn: &mut DbConn, vote_id: &str, marks: &str) -> QueryResult<()> {
    let id = uuid::Builder::from_random_bytes(rand::random()).into_uuid();
    let insert = diesel::insert_into(ballots::table).values((
        ballots::id.eq(id.to_string()),
        ballots::vote_id.eq(vote_id),
        ballots::marks.eq(marks),
    ));
    on_backend!(conn, |c| insert.execute(c)).map(|_| ())
}

/// Every stored ballot of the vote, sorted by content.
pub fn marks_of(conn: &mut DbConn, vote_id: &str) -> QueryResult<Vec<String>> {
    let mut marks: Vec<String> = ballots::table
        .filter(ballots::vote_id.eq(vote_id))
        .select(ballots::marks)
        .load(conn)?;
    marks.sort_unstable();
    Ok(marks)
}

/// Replaces the vote's ballots with the same marks, written in content order under fresh random
/// ids, so neither row order nor keys keep a trace of the order in which they were cast.
pub fn rewrite_in_content_order(
    conn: &mut DbConn,
    vote_id: &str,
    sorted_marks: &[String],
) -> QueryResult<()> {
    diesel::delete(ballots::table.filter(ballots::vote_id.eq(vote_id))).execute(conn)?;
    for marks in sorted_marks {
        insert_ballot(conn, vote_id, marks)?;
    }
    Ok(())
}

pub fn save_tally(conn: &mut DbConn, vote_id: &str, body: &str) -> QueryResult<()> {
    diesel::insert_into(tallies::table)
        .values((tallies::vote_id.eq(vote_id), tallies::body.eq(body)))
        .execute(conn)
        .map(|_| ())
}

pub fn tally_of(conn: &mut DbConn, vote_id: &str) -> QueryResult<Option<String>> {
    tallies::table
        .find(vote_id)
        .select(tallies::body)
        .first(conn)
        .optional()
}

#[derive(QueryableByName)]
struct Checkpoint {
    #[diesel(sql_type = diesel::sql_types::Integer)]
    busy: i32,
}

/// After a close on SQLite: copy the WAL into the database and empty it, so the frames written
/// while ballots came in (which hold them in cast order) do not linger in the `-wal` file.
/// A reader in the middle of a query can hold the checkpoint back: it is retried briefly, and
/// the next close (or SQLite's own checkpoints, which restart the WAL from its beginning) will
/// overwrite those frames if it still cannot finish.
pub fn forget_cast_order(conn: &mut DbConn) {
    let DbConn::Sqlite(c) = conn else { return };
    for attempt in 0..20 {
        match diesel::sql_query("PRAGMA wal_checkpoint(TRUNCATE)").get_result::<Checkpoint>(c) {
            Ok(Checkpoint { busy: 0 }) => return,
            Ok(_) => std::thread::sleep(std::time::Duration::from_millis(10 * (attempt + 1))),
            Err(e) => {
                tracing::warn!(error = %e, "WAL checkpoint after close failed");
                return;
            }
        }
    }
    tracing::warn!("WAL checkpoint after close was held back by readers; it will complete later");
}
