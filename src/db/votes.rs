//! The `votes` and `subjects` tables, and a vote's lifecycle writes.

use diesel::prelude::*;
use diesel::sql_types::Text;

use super::schema::{electors, subjects, vote_events, votes};
use super::DbConn;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = votes)]
pub struct VoteRow {
    pub id: String,
    pub council_id: String,
    pub title: String,
    pub kind: String,
    pub percent_base: String,
    pub state: String,
    pub created_at: chrono::NaiveDateTime,
    pub opened_at: Option<chrono::NaiveDateTime>,
    pub closed_at: Option<chrono::NaiveDateTime>,
    /// `server` or `committee`.
    pub secrecy: String,
    /// The counting committee whose key encrypts the ballots, in a committee vote.
    pub committee_id: Option<String>,
    /// In a committee vote, from its opening: the hash every ballot's proofs are bound to.
    pub manifest_hash: Option<String>,
    /// In a follow-up confidence vote: the rating vote it follows.
    pub follow_up_of: Option<String>,
    /// When the chair made its published tally public.
    pub public_at: Option<chrono::NaiveDateTime>,
    /// The people not rated and why: a JSON array of `{"full_name","positions","reason"}`.
    pub exempt: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = subjects)]
pub struct SubjectRow {
    pub id: String,
    pub vote_id: String,
    pub ordinal: i32,
    pub full_name: String,
    /// A JSON array of strings.
    pub positions: String,
}

pub fn insert(conn: &mut DbConn, vote: &VoteRow, subject_rows: &[SubjectRow]) -> QueryResult<()> {
    diesel::insert_into(votes::table)
        .values(vote)
        .execute(conn)?;
    // One statement per row: the two-backend connection has no multi-row insert.
    for subject in subject_rows {
        diesel::insert_into(subjects::table)
            .values(subject)
            .execute(conn)?;
    }
    Ok(())
}

pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<VoteRow>> {
    votes::table
        .find(id)
        .select(VoteRow::as_select())
        .first(conn)
        .optional()
}

pub fn list_by_council(conn: &mut DbConn, council_id: &str) -> QueryResult<Vec<VoteRow>> {
    votes::table
        .filter(votes::council_id.eq(council_id))
        .order((votes::created_at, votes::id))
        .select(VoteRow::as_select())
        .load(conn)
}

/// The id of the follow-up vote of `vote_id`, if one was created.
pub fn follow_up_of(conn: &mut DbConn, vote_id: &str) -> QueryResult<Option<String>> {
    votes::table
        .filter(votes::follow_up_of.eq(vote_id))
        .select(votes::id)
        .first(conn)
        .optional()
}

/// Replaces a draft's subjects, in ballot order.
pub fn replace_subjects(
    conn: &mut DbConn,
    vote_id: &str,
    subject_rows: &[SubjectRow],
) -> QueryResult<()> {
    diesel::delete(subjects::table.filter(subjects::vote_id.eq(vote_id))).execute(conn)?;
    for subject in subject_rows {
        diesel::insert_into(subjects::table)
            .values(subject)
            .execute(conn)?;
    }
    Ok(())
}

/// Deletes a draft's event log, to be written again (see `service::drafts`).
pub fn delete_events(conn: &mut DbConn, vote_id: &str) -> QueryResult<()> {
    diesel::delete(vote_events::table.filter(vote_events::vote_id.eq(vote_id)))
        .execute(conn)
        .map(|_| ())
}

/// Marks the vote's tally public at `at`, unless it already is (the first time stays).
pub fn make_public(conn: &mut DbConn, vote_id: &str, at: chrono::NaiveDateTime) -> QueryResult<()> {
    diesel::update(
        votes::table
            .filter(votes::id.eq(vote_id))
            .filter(votes::public_at.is_null()),
    )
    .set(votes::public_at.eq(at))
    .execute(conn)
    .map(|_| ())
}

/// The council's votes whose tally is public, the most recently closed first.
pub fn public_in_council(conn: &mut DbConn, council_id: &str) -> QueryResult<Vec<VoteRow>> {
    votes::table
        .filter(votes::council_id.eq(council_id))
        .filter(votes::public_at.is_not_null())
        .order((votes::closed_at.desc(), votes::id))
        .select(VoteRow::as_select())
        .load(conn)
}

/// The vote's subjects in ballot order.
pub fn subjects_of(conn: &mut DbConn, vote_id: &str) -> QueryResult<Vec<SubjectRow>> {
    subjects::table
        .filter(subjects::vote_id.eq(vote_id))
        .order(subjects::ordinal)
        .select(SubjectRow::as_select())
        .load(conn)
}

/// The ids of the vote's subjects in ballot order (what checking a ballot needs).
pub fn subject_ids_of(conn: &mut DbConn, vote_id: &str) -> QueryResult<Vec<String>> {
    subjects::table
        .filter(subjects::vote_id.eq(vote_id))
        .order(subjects::ordinal)
        .select(subjects::id)
        .load(conn)
}

/// `(eligible, ballots cast)`, counted from the electors.
pub fn turnout(conn: &mut DbConn, vote_id: &str) -> QueryResult<(i64, i64)> {
    let eligible = electors::table
        .filter(electors::vote_id.eq(vote_id))
        .count()
        .get_result(conn)?;
    let cast = electors::table
        .filter(electors::vote_id.eq(vote_id))
        .filter(electors::has_cast.eq(true))
        .count()
        .get_result(conn)?;
    Ok((eligible, cast))
}

/// Moves the vote from `from` to `to`, stamping `opened_at` or `closed_at`. Returns whether it
/// moved: the `WHERE state = from` makes two racing requests move it once.
pub fn change_state(
    conn: &mut DbConn,
    id: &str,
    from: &str,
    to: &str,
    at: chrono::NaiveDateTime,
) -> QueryResult<bool> {
    let target = votes::table
        .filter(votes::id.eq(id))
        .filter(votes::state.eq(from));
    let changed = match to {
        "open" => diesel::update(target)
            .set((votes::state.eq(to), votes::opened_at.eq(at)))
            .execute(conn)?,
        _ => diesel::update(target)
            .set((votes::state.eq(to), votes::closed_at.eq(at)))
            .execute(conn)?,
    };
    Ok(changed == 1)
}

/// How a transaction holds the vote's row until it ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lock {
    /// Casting: many casts hold it together; a state change waits for them.
    Share,
    /// Opening or closing: waits for casts under way, and they wait for it.
    Exclusive,
}

#[derive(QueryableByName)]
struct StateRow {
    #[diesel(sql_type = Text)]
    state: String,
}

/// Reads the vote's state and holds its row for the rest of the transaction, so a close and
/// the casts racing it are ordered one way or the other. On SQLite the write transaction
/// (`BEGIN IMMEDIATE`) already excludes every other writer, so a plain read suffices.
pub fn lock_state(conn: &mut DbConn, vote_id: &str, lock: Lock) -> QueryResult<Option<String>> {
    match conn {
        DbConn::Pg(pg) => {
            let sql = match lock {
                Lock::Share => "SELECT state FROM votes WHERE id = $1 FOR SHARE",
                Lock::Exclusive => "SELECT state FROM votes WHERE id = $1 FOR UPDATE",
            };
            Ok(diesel::sql_query(sql)
                .bind::<Text, _>(vote_id)
                .get_result::<StateRow>(pg)
                .optional()?
                .map(|row| row.state))
        }
        // On the backend's own connection, so the statement stays prepared: the ballot writer
        // runs this for each vote in each group.
        DbConn::Sqlite(sqlite) => votes::table
            .find(vote_id)
            .select(votes::state)
            .first(sqlite)
            .optional(),
    }
}

/// Replaces a draft's list of people not rated (JSON, as [`VoteRow::exempt`]).
pub fn set_exempt(conn: &mut DbConn, vote_id: &str, exempt: &str) -> QueryResult<()> {
    diesel::update(votes::table.find(vote_id))
        .set(votes::exempt.eq(exempt))
        .execute(conn)
        .map(|_| ())
}
