//! Several stateless `tinnhiem serve` processes in front of one PostgreSQL database.
//! Needs PostgreSQL: ignored unless run with `--include-ignored` and TINNHIEM_TEST_POSTGRES set
//! (CI's PostgreSQL pass); SQLite's one-process races are in tests/concurrency.rs.

use crate::common::*;
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::time::Duration;

/// A fresh PostgreSQL database and its URL, for the server processes to share.
fn postgres_db() -> (TestDb, String) {
    let db = TestDb::postgres();
    let url = match &db.url {
        tinnhiem::DatabaseUrl::Postgres(u) => u.clone(),
        tinnhiem::DatabaseUrl::Sqlite(_) => unreachable!("TestDb::postgres is on PostgreSQL"),
    };
    (db, url)
}

#[tokio::test]
#[ignore = "needs PostgreSQL: set TINNHIEM_TEST_POSTGRES"]
async fn two_replicas_share_tokens_ballots_and_the_tally() {
    let dir = tempfile::tempdir().unwrap();
    let (_db, url) = postgres_db();
    // Started together: they migrate and create the first admin without tripping each other.
    let mut a = ServerProcess::start(&url, dir.path());
    let mut b = ServerProcess::start(&url, dir.path());
    a.wait_healthy().await;
    b.wait_healthy().await;
    let (a, b) = (&a.api, &b.api);

    // Set up through A; a token from A works on B.
    let council = a.council(40, 30).await;
    let (status, me) = b.get("/me", &council.chair).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    let vote = a.vote(&council, "rating", 3, None).await;
    let id = vote["id"].as_str().unwrap().to_owned();
    let subjects = subject_ids(&vote);
    let (status, opened) = b
        .post_empty(&format!("/votes/{id}/open"), &council.chair)
        .await;
    assert_eq!(status, StatusCode::OK, "{opened}");
    assert_eq!(
        a.get(&format!("/votes/{id}"), &council.chair).await.1["state"],
        "open"
    );

    // One delegate casts on both replicas at once, ten times each: one ballot stored.
    let path = format!("/votes/{id}/ballot");
    let body = json!({"marks": {subjects[0].clone(): "medium"}});
    let d1 = &council.delegates[1];
    let casts = (0..20).map(|i| {
        let api = if i % 2 == 0 { a } else { b };
        api.post(&path, d1, body.clone())
    });
    let results = futures::future::join_all(casts).await;
    let created = results
        .iter()
        .filter(|(s, _)| *s == StatusCode::CREATED)
        .count();
    assert_eq!(created, 1, "{results:?}");
    assert!(results.iter().all(
        |(s, v)| *s == StatusCode::CREATED || v["type"] == "urn:tinnhiem:problem:already-cast"
    ));

    // The others cast, split across both, while the chair closes on A: each cast is counted
    // or refused, never lost after a 201.
    let casts = council.delegates[2..].iter().enumerate().map(|(i, token)| {
        let api = if i % 2 == 0 { a } else { b };
        api.post(&path, token, json!({"marks": {subjects[2].clone(): "low"}}))
    });
    let close = async {
        tokio::time::sleep(Duration::from_millis(20)).await;
        a.post_empty(&format!("/votes/{id}/close"), &council.chair)
            .await
    };
    let (results, (status, _)) = tokio::join!(futures::future::join_all(casts), close);
    assert_eq!(status, StatusCode::OK);
    let accepted = results
        .iter()
        .filter(|(s, _)| *s == StatusCode::CREATED)
        .count() as u64;
    assert!(
        results
            .iter()
            .all(|(s, v)| *s == StatusCode::CREATED
                || v["type"] == "urn:tinnhiem:problem:invalid-state"),
        "{results:?}"
    );

    // Closed on A means closed on B, with the same tally from both.
    let (_, on_b) = b.get(&format!("/votes/{id}"), &council.auditor).await;
    assert_eq!(on_b["state"], "closed");
    let (_, tally_a) = a.get(&format!("/votes/{id}/tally"), &council.auditor).await;
    let (_, tally_b) = b.get(&format!("/votes/{id}/tally"), &council.auditor).await;
    assert_eq!(tally_a, tally_b);
    assert_eq!(tally_a["ballots_cast"].as_u64(), Some(accepted + 1));
    assert_eq!(
        tally_a["results"][2]["counts"]["low"].as_u64(),
        Some(accepted)
    );
    assert_eq!(tally_a["results"][0]["counts"]["medium"], 1);
    eprintln!(
        "{accepted} of {} racing casts landed before the close",
        results.len()
    );
}

/// /healthz says 503 while the database refuses connections, and recovers after.
#[tokio::test]
#[ignore = "needs PostgreSQL: set TINNHIEM_TEST_POSTGRES"]
async fn health_reports_an_unreachable_database() {
    let dir = tempfile::tempdir().unwrap();
    let (db, url) = postgres_db();
    let mut replica = ServerProcess::start(&url, dir.path());
    replica.wait_healthy().await;
    let api = &replica.api;
    let name = url.rsplit('/').next().unwrap().to_owned();
    let server = require_postgres();
    let admin = |sql: String| {
        use diesel::connection::SimpleConnection;
        use diesel::Connection;
        let mut c = diesel::PgConnection::establish(&server).unwrap();
        c.batch_execute(&sql).unwrap();
    };
    admin(format!(
        "ALTER DATABASE {name} ALLOW_CONNECTIONS false; \
         SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}';"
    ));
    let (status, body) = api.call(Method::GET, "/healthz", None, None).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["type"], "urn:tinnhiem:problem:service-unavailable");
    admin(format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true"));
    let (status, _) = api.call(Method::GET, "/healthz", None, None).await;
    assert_eq!(status, StatusCode::OK);
    drop(replica);
    drop(db);
}
