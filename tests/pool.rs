//! An exhausted connection pool answers 503 with Retry-After at once instead of hanging.

use crate::common::*;
use diesel::connection::SimpleConnection;
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::time::Duration;
use tinnhiem::db::DbConn;

#[tokio::test]
async fn an_exhausted_pool_answers_503_with_retry_after() {
    let app = TestApp::spawn_with(|c| {
        c.pool_size = 1;
        c.pool_timeout = Duration::from_millis(300);
    })
    .await;
    let council = app.council(5, 2).await;
    let vote = app.vote(&council, "rating", 1, None).await;
    let id = vote["id"].as_str().unwrap().to_owned();
    app.post_empty(&format!("/votes/{id}/open"), &council.chair)
        .await;

    // Someone else holds the write lock: the cast below waits for it, holding the one
    // pooled connection.
    let mut blocker = app.db.connect();
    let lock_sql = match blocker {
        DbConn::Sqlite(_) => "BEGIN IMMEDIATE;".to_owned(),
        DbConn::Pg(_) => format!("BEGIN; SELECT 1 FROM votes WHERE id = '{id}' FOR UPDATE;"),
    };
    blocker.batch_execute(&lock_sql).unwrap();

    let ballot = format!("/votes/{id}/ballot");
    let cast = app.post(&ballot, &council.delegates[1], json!({"marks": {}}));
    let probe = async {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let resp = app.client.get(app.url("/healthz")).send().await.unwrap();
        let retry = resp
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_owned());
        let status = resp.status();
        let body: serde_json::Value = resp.json().await.unwrap();
        // Let the cast through once the probe has its answer.
        blocker.batch_execute("COMMIT;").unwrap();
        (status, retry, body)
    };
    let ((cast_status, _), (status, retry, body)) = tokio::join!(cast, probe);
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["type"], "urn:tinnhiem:problem:service-unavailable");
    assert!(retry.is_some(), "Retry-After is set");
    assert_eq!(
        cast_status,
        StatusCode::CREATED,
        "the waiting cast went through afterwards"
    );
    let (status, _) = app.call(Method::GET, "/healthz", None, None).await;
    assert_eq!(status, StatusCode::OK);
}
