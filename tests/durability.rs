//! A server stopped in the middle of a burst of casts: after SIGKILL and a restart every ballot
//! answered 201 is there, no ballot is half stored, and "who has cast" matches "what was cast"
//! exactly; after SIGTERM the same holds, and the process exits 0 once it has answered.

use crate::common::*;
use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::json;
use tinnhiem::db::schema::ballots;

/// Five open votes of ten subjects in a council of 80 delegates, on a server process of its
/// own: 400 casts to make.
struct Burst {
    db: TestDb,
    url: String,
    server: ServerProcess,
    council: Council,
    votes: Vec<(String, Vec<String>)>,
    dir: tempfile::TempDir,
}

impl Burst {
    async fn prepare() -> Burst {
        let dir = tempfile::tempdir().unwrap();
        let db = TestDb::new(dir.path());
        let url = db.argument();
        let mut server = ServerProcess::start(&url, dir.path());
        server.wait_healthy().await;
        let council = server.api.council(80, 80).await;
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
        Burst {
            db,
            url,
            server,
            council,
            votes,
            dir,
        }
    }

    /// Casts every ballot at once and sends `signal` to the server once 20 casts have been
    /// answered, while the rest are in flight. The (vote, delegate) of each cast answered 201.
    async fn cast_and_signal(&self, signal: &str) -> Vec<(String, usize)> {
        let mut who = Vec::new();
        let mut casts = Vec::new();
        for (id, subjects) in &self.votes {
            for (i, token) in self.council.delegates.iter().enumerate() {
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
                who.push((id.clone(), i));
                casts.push((
                    format!("/votes/{id}/ballot"),
                    token.clone(),
                    json!({ "marks": marks }),
                ));
            }
        }
        let results = self.server.cast_and_signal(&casts, signal, 20).await;
        let acknowledged: Vec<(String, usize)> = who
            .into_iter()
            .zip(&results)
            .filter(|(_, ok)| **ok)
            .map(|(w, _)| w)
            .collect();
        assert!(
            acknowledged.len() >= 20 && acknowledged.len() < results.len(),
            "{} of {} acknowledged: the {signal} did not land mid-burst",
            acknowledged.len(),
            results.len()
        );
        acknowledged
    }

    /// For each vote: participation equals the ballots stored, no ballot is half stored, and
    /// at least the acknowledged casts are in. The ballots stored in each vote.
    fn check_stored(&self, acknowledged: &[(String, usize)]) -> Vec<usize> {
        let mut conn = self.db.connect();
        let mut counts = Vec::new();
        for (id, subjects) in &self.votes {
            let cast = electors_cast(&mut conn, id);
            let stored: Vec<String> = ballots::table
                .filter(ballots::vote_id.eq(&id))
                .select(ballots::marks)
                .load(&mut conn)
                .unwrap();
            assert_eq!(cast, stored.len(), "participation and ballots disagree");
            assert!(
                stored
                    .iter()
                    .all(|m| m.len() == subjects.len() && m.chars().all(|c| "hml".contains(c))),
                "a half-stored ballot"
            );
            let acked_here = acknowledged.iter().filter(|(v, _)| v == id).count();
            assert!(stored.len() >= acked_here);
            counts.push(stored.len());
        }
        counts
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_loses_no_acknowledged_ballot() {
    let burst = Burst::prepare().await;
    let acknowledged = burst.cast_and_signal("-KILL").await;
    let mut restarted = ServerProcess::start(&burst.url, burst.dir.path());
    restarted.wait_healthy().await;
    let api = &restarted.api;
    for (id, i) in &acknowledged {
        let (status, ballot) = api
            .get(&format!("/votes/{id}/ballot"), &burst.council.delegates[*i])
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            ballot["cast"], true,
            "delegate {i} was answered 201 but their cast is gone"
        );
    }
    let stored = burst.check_stored(&acknowledged);
    // The tally after the restart counts everything stored.
    for ((id, _), stored) in burst.votes.iter().zip(&stored) {
        let (status, _) = api
            .post_empty(&format!("/votes/{id}/close"), &burst.council.chair)
            .await;
        assert_eq!(status, StatusCode::OK);
        let (_, tally) = api
            .get(&format!("/votes/{id}/tally"), &burst.council.chair)
            .await;
        assert_eq!(tally["ballots_cast"].as_u64(), Some(*stored as u64));
    }
    println!(
        "{} casts acknowledged before the kill; {} stored after restart",
        acknowledged.len(),
        stored.iter().sum::<usize>()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_mid_burst_answers_and_commits_every_cast_taken_then_exits_0() {
    stops_gracefully("-TERM").await;
}

/// Ctrl-C in the terminal running `tinnhiem serve` stops it as gently as a service manager.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_mid_burst_answers_and_commits_every_cast_taken_then_exits_0() {
    stops_gracefully("-INT").await;
}

async fn stops_gracefully(signal: &str) {
    let mut burst = Burst::prepare().await;
    let acknowledged = burst.cast_and_signal(signal).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let status = loop {
        if let Some(status) = burst.server.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the server did not exit within 60 s of {signal}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(
        status.code(),
        Some(0),
        "{signal} must end in a clean exit: {status}"
    );
    // Nothing runs now: what the database holds is what the stopped server committed.
    let stored = burst.check_stored(&acknowledged);
    assert_eq!(
        stored.iter().sum::<usize>(),
        acknowledged.len(),
        "a cast was committed without its 201 reaching the tablet, or answered without being stored"
    );
    println!(
        "{} casts acknowledged and stored across {signal}",
        acknowledged.len()
    );
}
