//! Secrecy at rest (DOMAIN.md, last section): after close, nothing stored — no column, no key,
//! no row order, no leftover byte in the SQLite file — tells in which order delegates cast.
//! The signed record written at close holds every ballot a second time, in content order, and
//! the vote's event log holds no event per ballot: both are checked here too.

use crate::common::*;
use diesel::prelude::*;
use diesel::sql_types::Text;
use reqwest::StatusCode;
use serde_json::json;
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

fn count(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .filter(|w| *w == needle)
        .count()
}

fn first_offset(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn last_offset(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
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
    // A known, interleaved cast order that is neither content order nor its reverse.
    let order = [7usize, 2, 11, 0, 5, 9, 3, 10, 1, 8, 4, 6];
    let cast_sequence: Vec<&String> = order.iter().map(|&d| &patterns[d]).collect();
    let mut sorted: Vec<&String> = cast_sequence.clone();
    sorted.sort();
    assert_ne!(cast_sequence, sorted);
    for &d in &order {
        let marks: serde_json::Map<String, serde_json::Value> = patterns[d]
            .chars()
            .zip(&subjects)
            .filter_map(|(c, s)| {
                let choice = match c {
                    'h' => "high",
                    'm' => "medium",
                    'l' => "low",
                    _ => return None,
                };
                Some((s.clone(), json!(choice)))
            })
            .collect();
        let (status, _) = app
            .post(
                &format!("/votes/{id}/ballot"),
                &council.delegates[d],
                json!({"marks": marks}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
    }

    // Control: while open, the ballots are in the files, so the search below can find them.
    let files = |app: &TestApp| -> Option<(Vec<u8>, Vec<u8>)> {
        let path = app.db.sqlite_path()?;
        let db = std::fs::read(&path).unwrap();
        let wal = std::fs::read(path.with_extension("db-wal")).unwrap_or_default();
        Some((db, wal))
    };
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
    let stored: Vec<StoredBallot> = diesel::sql_query(match conn {
        DbConn::Sqlite(_) => "SELECT id, marks FROM ballots WHERE vote_id = ?",
        DbConn::Pg(_) => "SELECT id, marks FROM ballots WHERE vote_id = $1",
    })
    .bind::<Text, _>(&id)
    .load(&mut conn)
    .unwrap();
    assert_eq!(stored.len(), 12);
    for b in &stored {
        let uuid = uuid::Uuid::parse_str(&b.id).unwrap();
        assert_eq!(
            uuid.get_version_num(),
            4,
            "ballot ids are random, not time-ordered"
        );
    }
    // The order rows come back in is set by their content or by their random ids, never by
    // the order of casting.
    let natural: Vec<&String> = stored.iter().map(|b| &b.marks).collect();
    let mut by_id: Vec<&StoredBallot> = stored.iter().collect();
    by_id.sort_by(|a, b| a.id.cmp(&b.id));
    let by_id: Vec<&String> = by_id.iter().map(|b| &b.marks).collect();
    assert!(
        natural == sorted || natural == by_id,
        "natural order {natural:?}"
    );
    assert_ne!(natural, cast_sequence);

    // The signed record lists each ballot once, in content order, and nothing else; the event
    // log has created, opened and closed, and no event per ballot.
    let bind = match conn {
        DbConn::Sqlite(_) => "?",
        DbConn::Pg(_) => "$1",
    };
    let record_body = diesel::sql_query(format!("SELECT body FROM records WHERE vote_id = {bind}"))
        .bind::<Text, _>(&id)
        .get_result::<Body>(&mut conn)
        .unwrap()
        .body;
    let record: serde_json::Value = serde_json::from_str(&record_body).unwrap();
    assert_eq!(
        record["ballots"],
        json!(sorted),
        "record ballots in content order"
    );
    for p in &patterns {
        assert_eq!(
            count(record_body.as_bytes(), p.as_bytes()),
            1,
            "{p} in the record"
        );
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
    for table in ["records", "vote_events", "tallies"] {
        let cols = columns(&mut conn, table);
        assert!(
            !cols
                .iter()
                .any(|c| c.contains("member") || c.contains("ballot")),
            "{table} has a column that could link a ballot: {cols:?}"
        );
    }

    // Raw bytes: each ballot is in the file exactly twice, its row and the signed record (as a
    // quoted JSON string there, which its row is not): no copy is left from casting time. The
    // WAL holds nothing, and every copy lies in the file in an order set by content or ids.
    if let Some((db, wal)) = files(&app) {
        assert!(
            wal.is_empty(),
            "the WAL still holds {} bytes after close",
            wal.len()
        );
        for p in &patterns {
            assert_eq!(
                count(&db, p.as_bytes()),
                2,
                "{p} must be in the file twice: its ballot row and the signed record"
            );
            assert_eq!(
                count(&db, format!("\"{p}\"").as_bytes()),
                1,
                "{p} must be in the signed record once"
            );
        }
        let mut reversed = sorted.clone();
        reversed.reverse();
        let mut ids_reversed = by_id.clone();
        ids_reversed.reverse();
        let mut cast_reversed = cast_sequence.clone();
        cast_reversed.reverse();
        // The first copy of each and the last copy of each: the row region and the record
        // region, whichever comes first in the file.
        for offset in [first_offset, last_offset] {
            let mut by_offset: Vec<(usize, &String)> = patterns
                .iter()
                .map(|p| (offset(&db, p.as_bytes()).unwrap(), p))
                .collect();
            by_offset.sort();
            let file_order: Vec<&String> = by_offset.iter().map(|(_, p)| *p).collect();
            assert!(
                [&sorted, &reversed, &by_id, &ids_reversed].contains(&&file_order),
                "file order {file_order:?} is neither content nor id order"
            );
            assert_ne!(file_order, cast_sequence);
            assert_ne!(file_order, cast_reversed);
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
