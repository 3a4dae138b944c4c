//! SIGKILL in the middle of a burst of casts: after a restart every ballot answered 201 is
//! there, no ballot is half stored, and "who has cast" matches "what was cast" exactly.

use crate::common::*;
use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use tinnhiem::db::schema::{ballots, electors};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_loses_no_acknowledged_ballot() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new(dir.path());
    let url = match &db.url {
        tinnhiem::DatabaseUrl::Sqlite(p) => p.to_string_lossy().into_owned(),
        tinnhiem::DatabaseUrl::Postgres(u) => u.clone(),
    };
    let mut server = ServerProcess::start(&url, dir.path());
    server.wait_healthy().await;
    let council = server.api.council(80, 80).await;
    // Five open votes: every delegate casts in each, 400 casts in all.
    let mut votes = Vec::new();
    for _ in 0..5 {
        let vote = server.api.vote(&council, "rating", 10, None).await;
        let id = vote["id"].as_str().unwrap().to_owned();
        server
            .api
            .post_empty(&format!("/votes/{id}/open"), &council.chair)
            .await;
        votes.push((id, subject_ids(&vote)));
    }

    // Everything is cast at once; the process is killed once 20 casts have been answered.
    let answered = AtomicUsize::new(0);
    let api = &server.api;
    let casts = votes.iter().flat_map(|(id, subjects)| {
        council
            .delegates
            .iter()
            .enumerate()
            .map(move |(i, token)| (id, subjects, i, token))
    });
    let casts = casts.map(|(id, subjects, i, token)| {
        let marks: serde_json::Map<String, serde_json::Value> = subjects
            .iter()
            .enumerate()
            .map(|(s, subject)| {
                (
                    subject.clone(),
                    json!(["high", "medium", "low"][(i + s) % 3]),
                )
            })
            .collect();
        let answered = &answered;
        async move {
            let path = format!("/votes/{id}/ballot");
            let resp = api
                .client
                .post(api.url(&path))
                .bearer_auth(token)
                .json(&json!({"marks": marks}))
                .send()
                .await;
            let ok = matches!(&resp, Ok(r) if r.status() == StatusCode::CREATED);
            if ok {
                answered.fetch_add(1, Ordering::SeqCst);
            }
            (id.clone(), i, ok)
        }
    });
    let pid = server.child.id();
    let killer = async {
        while answered.load(Ordering::SeqCst) < 20 {
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
        // SIGKILL straight away, while the rest are in flight.
        let _ = std::process::Command::new("kill")
            .args(["-9", &pid.to_string()])
            .status();
    };
    let (results, ()) = tokio::join!(futures::future::join_all(casts), killer);
    server.kill();
    let acknowledged: Vec<(String, usize)> = results
        .iter()
        .filter(|(_, _, ok)| *ok)
        .map(|(id, i, _)| (id.clone(), *i))
        .collect();
    assert!(
        acknowledged.len() >= 20 && acknowledged.len() < results.len(),
        "{} of {} acknowledged: the kill did not land mid-burst",
        acknowledged.len(),
        results.len()
    );

    let mut restarted = ServerProcess::start(&url, dir.path());
    restarted.wait_healthy().await;
    let api = &restarted.api;
    for (id, i) in &acknowledged {
        let (status, ballot) = api
            .get(&format!("/votes/{id}/ballot"), &council.delegates[*i])
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            ballot["cast"], true,
            "delegate {i} was answered 201 but their cast is gone"
        );
    }
    let mut conn = db.connect();
    let mut stored_total = 0;
    for (id, subjects) in &votes {
        let cast: i64 = electors::table
            .filter(electors::vote_id.eq(&id))
            .filter(electors::has_cast.eq(true))
            .count()
            .get_result(&mut conn)
            .unwrap();
        let stored: Vec<String> = ballots::table
            .filter(ballots::vote_id.eq(&id))
            .select(ballots::marks)
            .load(&mut conn)
            .unwrap();
        assert_eq!(
            cast as usize,
            stored.len(),
            "participation and ballots disagree"
        );
        assert!(
            stored
                .iter()
                .all(|m| m.len() == subjects.len() && m.chars().all(|c| "hml".contains(c))),
            "a half-stored ballot"
        );
        let acked_here = acknowledged.iter().filter(|(v, _)| v == id).count();
        assert!(stored.len() >= acked_here);
        stored_total += stored.len();

        // The tally after the restart counts everything stored.
        let (status, _) = api
            .post_empty(&format!("/votes/{id}/close"), &council.chair)
            .await;
        assert_eq!(status, StatusCode::OK);
        let (_, tally) = api.get(&format!("/votes/{id}/tally"), &council.chair).await;
        assert_eq!(tally["ballots_cast"].as_u64(), Some(stored.len() as u64));
    }
    println!(
        "{} of {} casts acknowledged before the kill; {stored_total} stored after restart",
        acknowledged.len(),
        results.len()
    );
}
