//! Secrecy at rest (DOMAIN.md, last section). While a vote is open its ballots are stored whole,
//! with nothing that says who cast them or when. At the close they are counted and deleted:
//! after it nothing stored or published holds one delegate's marks for two subjects together,
//! so neither the order of casting nor a pattern of marks a coercer dictated can be found —
//! not in any table, not in a leftover byte of the SQLite file or its WAL, not in any download.

use crate::common::*;
use diesel::prelude::*;
use diesel::sql_types::Text;
use reqwest::StatusCode;
use serde_json::{json, Value};
use tinnhiem::db::DbConn;

#[derive(QueryableByName, Debug)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName, Debug)]
struct Body {
    #[diesel(sql_type = Text)]
    body: String,
}

#[derive(QueryableByName, Debug)]
struct EventKind {
    #[diesel(sql_type = Text)]
    kind: String,
}

#[derive(QueryableByName, Debug)]
struct StoredBallot {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Text)]
    marks: String,
}

fn columns(conn: &mut DbConn, table: &str) -> Vec<String> {
    let sql = match conn {
        DbConn::Sqlite(_) => format!("SELECT name FROM pragma_table_info('{table}')"),
        DbConn::Pg(_) => format!(
            "SELECT column_name AS name FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name = '{table}'"
        ),
    };
    let mut names: Vec<String> = diesel::sql_query(sql)
        .load::<Name>(conn)
        .unwrap()
        .into_iter()
        .map(|n| n.name)
        .collect();
    names.sort();
    names
}

fn tables(conn: &mut DbConn) -> Vec<String> {
    let sql = match conn {
        DbConn::Sqlite(_) => "SELECT name FROM sqlite_master WHERE type = 'table'",
        DbConn::Pg(_) => {
            "SELECT table_name::text AS name FROM information_schema.tables \
             WHERE table_schema = 'public'"
        }
    };
    diesel::sql_query(sql)
        .load::<Name>(conn)
        .unwrap()
        .into_iter()
        .map(|n| n.name)
        .collect()
}

/// Every row of every table, each as one text: `(table, row)`.
pub(crate) fn every_row(conn: &mut DbConn) -> Vec<(String, String)> {
    let mut rows = Vec::new();
    for table in tables(conn) {
        let sql = match conn {
            DbConn::Sqlite(_) => {
                let cells: Vec<String> = columns(conn, &table)
                    .iter()
                    .map(|c| format!("COALESCE(quote(\"{c}\"), '')"))
                    .collect();
                format!(
                    "SELECT {} AS body FROM \"{table}\"",
                    cells.join(" || '|' || ")
                )
            }
            DbConn::Pg(_) => format!("SELECT t::text AS body FROM \"{table}\" t"),
        };
        for row in diesel::sql_query(sql).load::<Body>(conn).unwrap() {
            rows.push((table.clone(), row.body));
        }
    }
    rows
}

fn choice(code: char) -> Option<&'static str> {
    match code {
        'h' => Some("high"),
        'm' => Some("medium"),
        'l' => Some("low"),
        'c' => Some("confidence"),
        'n' => Some("no_confidence"),
        _ => None,
    }
}

/// The marks of a stored ballot string, as a cast request sends them.
fn marks(pattern: &str, subjects: &[String]) -> Value {
    let marks: serde_json::Map<String, Value> = pattern
        .chars()
        .zip(subjects)
        .filter_map(|(c, s)| choice(c).map(|name| (s.clone(), json!(name))))
        .collect();
    json!({ "marks": marks })
}

/// The ways a whole ballot has been or could be written down: the stored string, a CSV row,
/// JSON arrays, the choices' names in a line.
pub(crate) fn spellings(pattern: &str) -> Vec<String> {
    let names: Vec<&str> = pattern.chars().map(|c| choice(c).unwrap_or("")).collect();
    let quoted: Vec<String> = pattern
        .chars()
        .map(|c| choice(c).map_or("null".to_owned(), |n| format!("\"{n}\"")))
        .collect();
    let blanks: Vec<&str> = pattern
        .chars()
        .map(|c| choice(c).unwrap_or("blank"))
        .collect();
    vec![
        pattern.to_owned(),
        names.join(","),
        quoted.join(","),
        blanks.join(","),
        blanks.join(" "),
        blanks.join("\",\""),
    ]
}

pub(crate) fn count(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .filter(|w| *w == needle)
        .count()
}

/// The SQLite database file and its WAL, when the test runs on SQLite.
pub(crate) fn files(app: &TestApp) -> Option<(Vec<u8>, Vec<u8>)> {
    let path = app.db.sqlite_path()?;
    let db = std::fs::read(&path).unwrap();
    let wal = std::fs::read(path.with_extension("db-wal")).unwrap_or_default();
    Some((db, wal))
}

/// Twelve distinct ballots of six rows, as the stored form writes them.
fn patterns() -> Vec<String> {
    let codes = ['h', 'm', 'l', '-'];
    (0..12u32)
        .map(|i| {
            let mut n = i * 331 + 97;
            (0..6)
                .map(|_| {
                    let c = codes[(n % 4) as usize];
                    n /= 4;
                    c
                })
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn the_cast_order_cannot_be_recovered_after_close() {
    let app = TestApp::spawn().await;
    let council = app.council(20, 12).await;
    let vote = app.vote(&council, "rating", 6, None).await;
    let id = vote["id"].as_str().unwrap().to_owned();
    let subjects = subject_ids(&vote);
    app.post_empty(&format!("/votes/{id}/open"), &council.chair)
        .await;

    let patterns = patterns();
    let mut distinct = patterns.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 12, "{patterns:?}");
    // A known, interleaved cast order.
    let order = [7usize, 2, 11, 0, 5, 9, 3, 10, 1, 8, 4, 6];
    for &d in &order {
        let (status, _) = app
            .post(
                &format!("/votes/{id}/ballot"),
                &council.delegates[d],
                marks(&patterns[d], &subjects),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
    }

    let mut conn = app.db.connect();
    // What was cast has no delegate, no time, no sequence; who cast has no ballot.
    assert_eq!(columns(&mut conn, "ballots"), ["id", "marks", "vote_id"]);
    // ballot_id: the id issued for a committee vote's encrypted ballot, cleared as it is cast
    // and, for those who never cast, at the close.
    assert_eq!(
        columns(&mut conn, "electors"),
        ["ballot_id", "has_cast", "member_id", "vote_id"]
    );
    {
        use diesel::prelude::*;
        use tinnhiem::db::schema::electors;
        let issued: i64 = electors::table
            .filter(electors::ballot_id.is_not_null())
            .count()
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(issued, 0, "no elector keeps a ballot id after the close");
    }
    if let DbConn::Sqlite(c) = &mut conn {
        use diesel::connection::SimpleConnection;
        assert!(
            c.batch_execute("SELECT rowid FROM ballots").is_err(),
            "ballots must have no rowid"
        );
        assert!(
            c.batch_execute("SELECT rowid FROM electors").is_err(),
            "electors must have no rowid"
        );
    }
    let bind = match conn {
        DbConn::Sqlite(_) => "?",
        DbConn::Pg(_) => "$1",
    };
    let stored: Vec<StoredBallot> = diesel::sql_query(format!(
        "SELECT id, marks FROM ballots WHERE vote_id = {bind}"
    ))
    .bind::<Text, _>(&id)
    .load(&mut conn)
    .unwrap();
    let mut whole: Vec<&String> = stored.iter().map(|b| &b.marks).collect();
    whole.sort();
    assert_eq!(
        whole,
        distinct.iter().collect::<Vec<_>>(),
        "while open, each ballot is stored whole"
    );
    for b in &stored {
        let uuid = uuid::Uuid::parse_str(&b.id).unwrap();
        assert_eq!(
            uuid.get_version_num(),
            4,
            "ballot ids are random, not time-ordered"
        );
    }
    // Control: while open, the ballots are in the files, so the search below can find them.
    if let Some((db, wal)) = files(&app) {
        for p in &patterns {
            assert!(
                count(&db, p.as_bytes()) + count(&wal, p.as_bytes()) >= 1,
                "{p} not found while open"
            );
        }
    }

    let (status, _) = app
        .post_empty(&format!("/votes/{id}/close"), &council.chair)
        .await;
    assert_eq!(status, StatusCode::OK);

    // The ballots are gone; each subject's counts are kept instead.
    let left: Vec<StoredBallot> = diesel::sql_query(format!(
        "SELECT id, marks FROM ballots WHERE vote_id = {bind}"
    ))
    .bind::<Text, _>(&id)
    .load(&mut conn)
    .unwrap();
    assert!(left.is_empty(), "ballots left after close: {left:?}");
    assert_eq!(
        columns(&mut conn, "subject_counts"),
        ["choice", "subject_id", "total", "vote_id"]
    );

    // The signed record lists no ballot; the event log has created, opened and closed, and no
    // event per ballot.
    let record_body = diesel::sql_query(format!("SELECT body FROM records WHERE vote_id = {bind}"))
        .bind::<Text, _>(&id)
        .get_result::<Body>(&mut conn)
        .unwrap()
        .body;
    let record: Value = serde_json::from_str(&record_body).unwrap();
    assert!(record.get("ballots").is_none(), "{record}");
    for p in &patterns {
        assert_eq!(count(record_body.as_bytes(), p.as_bytes()), 0, "{p}");
    }
    let events: Vec<String> = diesel::sql_query(format!(
        "SELECT kind FROM vote_events WHERE vote_id = {bind} ORDER BY seq"
    ))
    .bind::<Text, _>(&id)
    .load::<EventKind>(&mut conn)
    .unwrap()
    .into_iter()
    .map(|e| e.kind)
    .collect();
    assert_eq!(events, ["created", "opened", "closed"]);
    for table in ["records", "vote_events", "tallies", "subject_counts"] {
        let cols = columns(&mut conn, table);
        assert!(
            !cols
                .iter()
                .any(|c| c.contains("member") || c.contains("ballot")),
            "{table} has a column that could link a ballot: {cols:?}"
        );
    }

    // Raw bytes: no ballot is left anywhere in the file (secure_delete zeroed the rows), and
    // the WAL, which held them in the order they were cast, is empty.
    if let Some((db, wal)) = files(&app) {
        assert!(
            wal.is_empty(),
            "the WAL still holds {} bytes after close",
            wal.len()
        );
        for p in &patterns {
            assert_eq!(count(&db, p.as_bytes()), 0, "{p} is still in the file");
        }
    }

    // The tally still counts every ballot.
    let (_, tally) = app
        .get(&format!("/votes/{id}/tally"), &council.auditor)
        .await;
    assert_eq!(tally["ballots_cast"], 12);
    for (row, result) in tally["results"].as_array().unwrap().iter().enumerate() {
        let of = |c: char| {
            patterns
                .iter()
                .filter(|p| p.chars().nth(row) == Some(c))
                .count() as u64
        };
        assert_eq!(
            result["counts"],
            json!({"high": of('h'), "medium": of('m'), "low": of('l'), "blank": of('-')})
        );
    }
}

/// The "signature" attack: a delegate is told to cast a rare pattern of marks across ten
/// subjects, and whoever told them looks for it afterwards. After the close it is nowhere:
/// not in the record (JSON, CSV, the printed minutes), not in the tally, not in any row of any
/// table, not in a byte of the SQLite file or its WAL.
#[tokio::test]
async fn a_dictated_pattern_of_marks_is_found_nowhere_after_close() {
    // high, low, blank, medium, high, blank, low, medium, blank, high
    const SIGNATURE: &str = "hl-mh-lm-h";
    let app = TestApp::spawn().await;
    let council = app.council(20, 12).await;
    let vote = app.vote(&council, "rating", 10, None).await;
    let id = vote["id"].as_str().unwrap().to_owned();
    let subjects = subject_ids(&vote);
    let (status, _) = app
        .post_empty(&format!("/votes/{id}/open"), &council.chair)
        .await;
    assert_eq!(status, StatusCode::OK);

    // Eleven other delegates cast ballots of their own, none the signature; delegate 6 casts
    // the signature among them.
    let codes = ['h', 'm', 'l', '-'];
    let mut state = 0x2545_f491_u64;
    let mut ballots: Vec<String> = (0..12)
        .map(|_| {
            (0..10)
                .map(|_| {
                    state = state
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1_442_695_040_888_963_407);
                    codes[(state >> 33) as usize % 4]
                })
                .collect()
        })
        .collect();
    ballots[6] = SIGNATURE.to_owned();
    assert_eq!(
        ballots.iter().filter(|b| *b == SIGNATURE).count(),
        1,
        "{ballots:?}"
    );
    for (d, ballot) in ballots.iter().enumerate() {
        let (status, body) = app
            .post(
                &format!("/votes/{id}/ballot"),
                &council.delegates[d],
                marks(ballot, &subjects),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let found_in_rows = |conn: &mut DbConn| -> Vec<String> {
        let forms = spellings(SIGNATURE);
        every_row(conn)
            .into_iter()
            .filter(|(_, row)| forms.iter().any(|f| row.contains(f.as_str())))
            .map(|(table, _)| table)
            .collect()
    };
    // Control: while the vote is open the search finds it, stored whole in `ballots`.
    let mut conn = app.db.connect();
    assert_eq!(found_in_rows(&mut conn), ["ballots"]);
    if let Some((db, wal)) = files(&app) {
        assert!(count(&db, SIGNATURE.as_bytes()) + count(&wal, SIGNATURE.as_bytes()) >= 1);
    }

    let (status, _) = app
        .post_empty(&format!("/votes/{id}/close"), &council.chair)
        .await;
    assert_eq!(status, StatusCode::OK);

    // Nowhere in the database: no row of any table, no byte of the file or its WAL.
    let found = found_in_rows(&mut conn);
    assert!(found.is_empty(), "the pattern is still in {found:?}");
    if let Some((db, wal)) = files(&app) {
        for form in spellings(SIGNATURE) {
            assert_eq!(
                count(&db, form.as_bytes()),
                0,
                "{form} in the database file"
            );
            assert_eq!(count(&wal, form.as_bytes()), 0, "{form} in the WAL");
        }
    }

    // Nowhere in what is published: the record in every format, the tally, the vote.
    let mut downloads = Vec::new();
    for query in ["", "?format=csv", "?format=html", "?format=html&lang=en"] {
        let resp = app
            .client
            .get(app.url(&format!("/votes/{id}/record{query}")))
            .bearer_auth(&council.auditor)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "record{query}");
        downloads.push((format!("record{query}"), resp.text().await.unwrap()));
    }
    for path in [format!("/votes/{id}/tally"), format!("/votes/{id}")] {
        let (status, body) = app.get(&path, &council.auditor).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        downloads.push((path, body.to_string()));
    }
    for (name, text) in &downloads {
        for form in spellings(SIGNATURE) {
            assert!(!text.contains(&form), "{name} holds the pattern as {form}");
        }
    }
    // The record still says who cast (names only) and each subject's counts, which add up.
    let record: Value = serde_json::from_str(&downloads[0].1).unwrap();
    assert_eq!(
        record["record"]["electors"]["cast"]
            .as_array()
            .unwrap()
            .len(),
        12
    );
    for (row, result) in record["record"]["tally"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        let of = |c: char| {
            ballots
                .iter()
                .filter(|b| b.chars().nth(row) == Some(c))
                .count() as u64
        };
        assert_eq!(
            result["counts"],
            json!({"high": of('h'), "medium": of('m'), "low": of('l'), "blank": of('-')})
        );
    }
}
