//! Who may cast and who has (`electors`), what was cast (`ballots`, while the vote is open),
//! what a closed vote keeps of it (`subject_counts`), and the published tally. The two halves
//! are never written with anything that could join them.

use diesel::backend::Backend;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::serialize::ToSql;
use diesel::sql_types::{Integer, Text};

use super::schema::{ballots, electors, subject_counts, tallies};
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
    let mark = MarkCast {
        vote_id,
        member_id,
        token_version,
    };
    let changed = on_backend!(conn, |c| mark.execute(c))?;
    Ok(changed == 1)
}

/// Stores a ballot's marks under a fresh random id.
pub fn insert_ballot(conn: &mut DbConn, vote_id: &str, marks: &str) -> QueryResult<()> {
    let insert = InsertBallot {
        id: &fresh_id().to_string(),
        vote_id,
        marks,
    };
    on_backend!(conn, |c| insert.execute(c)).map(|_| ())
}

/// A random ballot id, from a cryptographic generator, so ids say nothing about when a ballot
/// came in.
fn fresh_id() -> uuid::Uuid {
    uuid::Builder::from_random_bytes(rand::random()).into_uuid()
}

// The two statements every cast runs, written out as fixed SQL. diesel never keeps an UPDATE
// prepared (its changesets may skip columns) nor, on PostgreSQL, an INSERT; these texts never
// change, so each is prepared once per connection and found again by its type.

struct MarkCast<'a> {
    vote_id: &'a str,
    member_id: &'a str,
    token_version: i32,
}

impl<DB> QueryFragment<DB> for MarkCast<'_>
where
    DB: Backend,
    str: ToSql<Text, DB>,
    i32: ToSql<Integer, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("UPDATE electors SET has_cast = TRUE WHERE vote_id = ");
        out.push_bind_param::<Text, _>(self.vote_id)?;
        out.push_sql(" AND member_id = ");
        out.push_bind_param::<Text, _>(self.member_id)?;
        out.push_sql(" AND has_cast = FALSE AND EXISTS (SELECT 1 FROM members WHERE id = ");
        out.push_bind_param::<Text, _>(self.member_id)?;
        out.push_sql(" AND active = TRUE AND token_version = ");
        out.push_bind_param::<Integer, _>(&self.token_version)?;
        out.push_sql(")");
        Ok(())
    }
}

impl QueryId for MarkCast<'_> {
    type QueryId = MarkCast<'static>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<C> RunQueryDsl<C> for MarkCast<'_> {}

struct InsertBallot<'a> {
    id: &'a str,
    vote_id: &'a str,
    marks: &'a str,
}

impl<DB> QueryFragment<DB> for InsertBallot<'_>
where
    DB: Backend,
    str: ToSql<Text, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("INSERT INTO ballots (id, vote_id, marks) VALUES (");
        out.push_bind_param::<Text, _>(self.id)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(self.vote_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(self.marks)?;
        out.push_sql(")");
        Ok(())
    }
}

impl QueryId for InsertBallot<'_> {
    type QueryId = InsertBallot<'static>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl<C> RunQueryDsl<C> for InsertBallot<'_> {}

/// Every stored ballot of the vote: only an open vote (or one being closed) has any.
pub fn marks_of(conn: &mut DbConn, vote_id: &str) -> QueryResult<Vec<String>> {
    let query = ballots::table
        .filter(ballots::vote_id.eq(vote_id))
        .select(ballots::marks);
    // Read on the backend's own connection: rows come faster than through the two-backend one.
    on_backend!(conn, |c| query.load(c))
}

/// One subject's number of ballots with one choice, or with the row left `blank`.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Insertable)]
#[diesel(table_name = subject_counts)]
pub struct SubjectCount {
    pub vote_id: String,
    pub subject_id: String,
    /// A choice's name, or `blank`.
    pub choice: String,
    pub total: i32,
}

/// Counts written per statement: well under both backends' limits on bound values.
const COUNTS_CHUNK: usize = 1000;

/// At close: deletes every ballot of the vote and writes its counts instead, so that nothing
/// stored keeps one ballot's marks for two subjects together. In the closing transaction.
pub fn replace_with_counts(
    conn: &mut DbConn,
    vote_id: &str,
    counts: &[SubjectCount],
) -> QueryResult<()> {
    diesel::delete(ballots::table.filter(ballots::vote_id.eq(vote_id))).execute(conn)?;
    for chunk in counts.chunks(COUNTS_CHUNK) {
        on_backend!(conn, |c| diesel::insert_into(subject_counts::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(())
}

/// The counts a closed vote keeps, in no particular order.
pub fn counts_of(conn: &mut DbConn, vote_id: &str) -> QueryResult<Vec<SubjectCount>> {
    subject_counts::table
        .filter(subject_counts::vote_id.eq(vote_id))
        .load(conn)
}

pub fn save_tally(conn: &mut DbConn, vote_id: &str, body: &str) -> QueryResult<()> {
    diesel::insert_into(tallies::table)
        .values((tallies::vote_id.eq(vote_id), tallies::body.eq(body)))
        .execute(conn)
        .map(|_| ())
}

/// Whether the vote's tally is published.
pub fn has_tally(conn: &mut DbConn, vote_id: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(tallies::table.find(vote_id))).get_result(conn)
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
/// while ballots came in (which hold them whole, in cast order) do not linger in the `-wal`
/// file.
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
