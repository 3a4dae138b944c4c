//! Real concurrent requests: double casts, casts racing the close, double taps.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn twenty_simultaneous_casts_by_one_delegate_store_exactly_one_ballot() {
    let app = TestApp::spawn().await;
    let council = app.council(10, 3).await;
    let vote = app.vote(&council, "rating", 2, None).await;
    let id = vote["id"].as_str().unwrap();
    let subjects = subject_ids(&vote);
    app.post_empty(&format!("/votes/{id}/open"), &council.chair)
        .await;
    let path = format!("/votes/{id}/ballot");
    let token = &council.delegates[1];
    let casts = (0..20).map(|i| {
        let choice = ["high", "medium", "low"][i % 3];
        app.post(
            &path,
            token,
            json!({"marks": {subjects[0].clone(): choice}}),
        )
    });
    let results = futures::future::join_all(casts).await;
    let created = results
        .iter()
        .filter(|(s, _)| *s == StatusCode::CREATED)
        .count();
    assert_eq!(created, 1, "{results:?}");
    for (status, body) in &results {
        if *status != StatusCode::CREATED {
            assert_eq!(status.as_u16(), 409);
            assert_eq!(body["type"], "urn:tinnhiem:problem:already-cast");
        }
    }
    let (_, now) = app.get(&format!("/votes/{id}"), &council.chair).await;
    assert_eq!(now["ballots_cast"], 1);
    app.post_empty(&format!("/votes/{id}/close"), &council.chair)
        .await;
    let (_, tally) = app.get(&format!("/votes/{id}/tally"), &council.chair).await;
    assert_eq!(tally["ballots_cast"], 1);
    let counts = &tally["results"][0]["counts"];
    let marked = counts["high"].as_u64().unwrap()
        + counts["medium"].as_u64().unwrap()
        + counts["low"].as_u64().unwrap();
    assert_eq!(marked, 1, "exactly one ballot counted: {counts}");
}

/// Every delegate casts at once while the chair closes: each cast is either answered 201 and
/// counted in the tally, or refused as invalid-state. None is lost after a 201.
#[tokio::test]
async fn a_cast_racing_the_close_is_counted_or_refused_never_lost() {
    let app = TestApp::spawn().await;
    let council = app.council(40, 40).await;
    let vote = app.vote(&council, "rating", 3, None).await;
    let id = vote["id"].as_str().unwrap().to_owned();
    let subjects = subject_ids(&vote);
    app.post_empty(&format!("/votes/{id}/open"), &council.chair)
        .await;
    let path = format!("/votes/{id}/ballot");
    // Delegates other than the chair cast; the chair closes after a few have gone in.
    let casts = council.delegates[1..].iter().map(|token| {
        let body = json!({"marks": {subjects[0].clone(): "low", subjects[2].clone(): "high"}});
        app.post(&path, token, body)
    });
    let close = async {
        tokio::time::sleep(std::time::Duration::from_millis(15)).await;
        app.post_empty(&format!("/votes/{id}/close"), &council.chair)
            .await
    };
    let (results, (close_status, closed)) = tokio::join!(futures::future::join_all(casts), close);
    assert_eq!(close_status, StatusCode::OK, "{closed}");
    let accepted = results
        .iter()
        .filter(|(s, _)| *s == StatusCode::CREATED)
        .count() as u64;
    for (status, body) in &results {
        if *status != StatusCode::CREATED {
            assert_eq!(
                body["type"], "urn:tinnhiem:problem:invalid-state",
                "{status} {body}"
            );
        }
    }
    let (_, tally) = app
        .get(&format!("/votes/{id}/tally"), &council.auditor)
        .await;
    assert_eq!(
        tally["ballots_cast"].as_u64(),
        Some(accepted),
        "every 201 is in the tally"
    );
    assert_eq!(
        tally["results"][0]["counts"]["low"].as_u64(),
        Some(accepted)
    );
    assert_eq!(
        tally["results"][1]["counts"]["blank"].as_u64(),
        Some(accepted)
    );
    assert_eq!(closed["ballots_cast"].as_u64(), Some(accepted));
    println!(
        "{accepted} of {} casts landed before the close",
        results.len()
    );
}

#[tokio::test]
async fn simultaneous_opens_and_closes_act_once() {
    let app = TestApp::spawn().await;
    let council = app.council(10, 5).await;
    let vote = app.vote(&council, "rating", 2, None).await;
    let id = vote["id"].as_str().unwrap();
    let open = format!("/votes/{id}/open");
    let opens = (0..10).map(|_| app.post_empty(&open, &council.chair));
    let results = futures::future::join_all(opens).await;
    assert!(
        results.iter().all(|(s, _)| *s == StatusCode::OK),
        "{results:?}"
    );
    let opened_at: Vec<&serde_json::Value> = results.iter().map(|(_, v)| &v["opened_at"]).collect();
    assert!(
        opened_at.windows(2).all(|w| w[0] == w[1]),
        "opened once: {opened_at:?}"
    );
    assert!(
        results.iter().all(|(_, v)| v["eligible"] == 5),
        "electors added once"
    );

    let subjects = subject_ids(&vote);
    app.post(
        &format!("/votes/{id}/ballot"),
        &council.delegates[2],
        json!({"marks": {subjects[1].clone(): "medium"}}),
    )
    .await;
    let close = format!("/votes/{id}/close");
    let closes = (0..10).map(|_| app.post_empty(&close, &council.chair));
    let results = futures::future::join_all(closes).await;
    assert!(
        results.iter().all(|(s, _)| *s == StatusCode::OK),
        "{results:?}"
    );
    assert!(results.windows(2).all(|w| w[0].1 == w[1].1), "closed once");
    let (_, tally) = app.get(&format!("/votes/{id}/tally"), &council.chair).await;
    assert_eq!(tally["results"][1]["counts"]["medium"], 1);
}
