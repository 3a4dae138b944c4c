//! Votes from draft to published tally, ballots, and the rules of DOMAIN.md, over real HTTP.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn subjects_body(n: usize) -> Vec<Value> {
    (1..=n)
        .map(|i| json!({"full_name": format!("Person {i}"), "positions": ["Ủy viên UBND"]}))
        .collect()
}

#[tokio::test]
async fn a_vote_is_created_in_draft_with_subjects_in_ballot_order() {
    let app = TestApp::spawn().await;
    let council = app.council(10, 3).await;
    let body = json!({
        "title": "Lấy phiếu tín nhiệm giữa nhiệm kỳ",
        "kind": "rating",
        "subjects": [
            {"full_name": "Trần Phú Hùng", "positions": ["Phó Chủ tịch HĐND tỉnh"]},
            {"full_name": "Ạ Nguyễn", "positions": ["Phó Chủ tịch UBND tỉnh", "Ủy viên UBND tỉnh"]},
            {"full_name": "Bùi Văn A", "positions": ["Giám đốc Sở Tài chính"]}
        ]
    });
    let (status, vote) = app
        .post(
            &format!("/councils/{}/votes", council.id),
            &council.chair,
            body,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{vote}");
    assert_eq!(vote["state"], "draft");
    assert_eq!(vote["kind"], "rating");
    assert_eq!(vote["percent_base"], "ballots");
    assert_eq!(vote["eligible"], Value::Null);
    assert_eq!(vote["ballots_cast"], 0);
    assert_eq!(vote["opened_at"], Value::Null);
    let names: Vec<&str> = vote["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["full_name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Trần Phú Hùng", "Ạ Nguyễn", "Bùi Văn A"],
        "never re-sorted"
    );
    assert_eq!(
        vote["subjects"][1]["positions"],
        json!(["Phó Chủ tịch UBND tỉnh", "Ủy viên UBND tỉnh"])
    );
    let orders: Vec<i64> = vote["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["order"].as_i64().unwrap())
        .collect();
    assert_eq!(orders, [1, 2, 3]);

    let id = vote["id"].as_str().unwrap();
    for token in [
        &council.admin,
        &council.chair,
        &council.delegates[1],
        &council.auditor,
    ] {
        let (status, got) = app.get(&format!("/votes/{id}"), token).await;
        assert_eq!((status, &got), (StatusCode::OK, &vote));
    }
    let (status, list) = app
        .get(
            &format!("/councils/{}/votes", council.id),
            &council.delegates[1],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list, json!([vote]));

    let other = app.council(5, 1).await;
    assert_problem(
        app.get(&format!("/votes/{id}"), &other.chair).await,
        404,
        "not-found",
    );
    assert_problem(
        app.get(&format!("/councils/{}/votes", council.id), &other.chair)
            .await,
        404,
        "not-found",
    );
}

#[tokio::test]
async fn vote_requests_are_validated_and_refused_ones_store_nothing() {
    let app = TestApp::spawn().await;
    let council = app.council(10, 2).await;
    let path = format!("/councils/{}/votes", council.id);
    let good = json!({"title": "T", "kind": "rating", "subjects": subjects_body(2)});
    for (field, value) in [
        ("title", json!("")),
        ("kind", json!("approval")),
        ("percent_base", json!("members")),
        ("subjects", json!([])),
        ("subjects", json!([{"full_name": "", "positions": ["x"]}])),
        ("subjects", json!([{"full_name": "A", "positions": []}])),
        ("subjects", json!([{"full_name": "A", "positions": [" "]}])),
    ] {
        let mut bad = good.clone();
        bad[field] = value;
        assert_problem(
            app.post(&path, &council.chair, bad).await,
            422,
            "validation-failed",
        );
    }
    let mut unknown = good.clone();
    unknown["subjects"][0]["age"] = json!(50);
    assert_problem(
        app.post(&path, &council.chair, unknown).await,
        400,
        "malformed-request",
    );
    assert_problem(
        app.post(&path, &council.delegates[1], good.clone()).await,
        403,
        "forbidden",
    );
    assert_problem(
        app.post(&path, &council.auditor, good.clone()).await,
        403,
        "forbidden",
    );
    let (_, list) = app.get(&path, &council.chair).await;
    assert_eq!(list, json!([]));
    // An admin may create one too.
    let (status, _) = app.post(&path, &council.admin, good).await;
    assert_eq!(status, StatusCode::CREATED);
}

#[tokio::test]
async fn the_chair_opens_and_closes_and_repeats_are_harmless() {
    let app = TestApp::spawn().await;
    let council = app.council(10, 3).await;
    let vote = app.vote(&council, "rating", 2, None).await;
    let id = vote["id"].as_str().unwrap();

    assert_problem(
        app.post_empty(&format!("/votes/{id}/close"), &council.chair)
            .await,
        409,
        "invalid-state",
    );
    assert_problem(
        app.post_empty(&format!("/votes/{id}/open"), &council.admin)
            .await,
        403,
        "forbidden",
    );
    assert_problem(
        app.post_empty(&format!("/votes/{id}/open"), &council.delegates[1])
            .await,
        403,
        "forbidden",
    );

    let (status, opened) = app
        .post_empty(&format!("/votes/{id}/open"), &council.chair)
        .await;
    assert_eq!(status, StatusCode::OK, "{opened}");
    assert_eq!(opened["state"], "open");
    assert_eq!(opened["eligible"], 3, "chair and two delegates");
    assert_eq!(opened["ballots_cast"], 0);
    assert!(opened["opened_at"].as_str().unwrap().ends_with('Z'));
    let (status, again) = app
        .post_empty(&format!("/votes/{id}/open"), &council.chair)
        .await;
    assert_eq!(
        (status, &again),
        (StatusCode::OK, &opened),
        "double tap changes nothing"
    );

    let (status, closed) = app
        .post_empty(&format!("/votes/{id}/close"), &council.chair)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(closed["state"], "closed");
    assert!(closed["closed_at"].as_str().is_some());
    let (status, again) = app
        .post_empty(&format!("/votes/{id}/close"), &council.chair)
        .await;
    assert_eq!((status, &again), (StatusCode::OK, &closed));
    assert_problem(
        app.post_empty(&format!("/votes/{id}/open"), &council.chair)
            .await,
        409,
        "invalid-state",
    );

    let other = app.council(5, 1).await;
    assert_problem(
        app.post_empty(&format!("/votes/{id}/close"), &other.chair)
            .await,
        404,
        "not-found",
    );
}

#[tokio::test]
async fn ballots_are_cast_once_by_eligible_delegates_while_open() {
    let app = TestApp::spawn().await;
    let council = app.council(10, 3).await;
    let vote = app.vote(&council, "rating", 3, None).await;
    let id = vote["id"].as_str().unwrap();
    let subjects = subject_ids(&vote);
    let path = format!("/votes/{id}/ballot");
    let marks = json!({"marks": {subjects[0].clone(): "high", subjects[2].clone(): "low"}});
    let d1 = &council.delegates[1];

    assert_problem(app.get(&path, d1).await, 409, "invalid-state");
    assert_problem(
        app.post(&path, d1, marks.clone()).await,
        409,
        "invalid-state",
    );
    assert_problem(app.get(&path, &council.auditor).await, 403, "forbidden");

    app.post_empty(&format!("/votes/{id}/open"), &council.chair)
        .await;
    // A delegate added after opening is not an elector.
    let (status, _) = app
        .post(
            &format!("/councils/{}/members", council.id),
            &council.admin,
            json!({"username": "late", "full_name": "Đến muộn", "password": PASSWORD, "roles": ["delegate"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let late = app.token("late", PASSWORD).await;
    assert_problem(app.get(&path, &late).await, 403, "forbidden");
    assert_problem(
        app.post(&path, &late, marks.clone()).await,
        403,
        "forbidden",
    );
    assert_problem(
        app.post(&path, &council.auditor, marks.clone()).await,
        403,
        "forbidden",
    );

    let (status, ballot) = app.get(&path, d1).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ballot["cast"], false);
    assert_eq!(ballot["choices"], json!(["high", "medium", "low"]));
    assert_eq!(ballot["kind"], "rating");
    assert_eq!(ballot["vote_id"], id);
    assert_eq!(ballot["subjects"], vote["subjects"]);

    // Refused ballots store nothing and can be fixed and cast again.
    let stranger = uuid::Uuid::new_v4().to_string();
    for bad in [
        json!({"marks": {stranger: "high"}}),
        json!({"marks": {subjects[0].clone(): "confidence"}}),
        json!({"marks": {subjects[0].clone(): "HIGH"}}),
        json!({"marks": {"not-a-subject": "low"}}),
    ] {
        let body = assert_problem(app.post(&path, d1, bad).await, 422, "invalid-ballot");
        assert!(
            !body["detail"].as_str().unwrap().contains("HIGH"),
            "ballot content echoed"
        );
    }
    let dup = format!(r#"{{"marks":{{"{0}":"high","{0}":"low"}}}}"#, subjects[1]);
    let resp = app
        .client
        .post(app.url(&path))
        .bearer_auth(d1)
        .header("content-type", "application/json")
        .body(dup)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 422, "a row marked twice is refused");
    assert_problem(
        app.post(&path, d1, json!({"marks": {}, "delegate": "me"}))
            .await,
        400,
        "malformed-request",
    );
    assert_problem(
        app.post(&path, d1, json!({"marks": ["high"]})).await,
        400,
        "malformed-request",
    );
    let (_, now) = app.get(&format!("/votes/{id}"), d1).await;
    assert_eq!(now["ballots_cast"], 0);
    assert_eq!(app.get(&path, d1).await.1["cast"], false);

    let (status, body) = app.post(&path, d1, marks.clone()).await;
    assert_eq!((status, body), (StatusCode::CREATED, json!({"cast": true})));
    assert_eq!(
        app.get(&path, d1).await.1["cast"],
        true,
        "a reconnecting tablet sees it is in"
    );
    assert_problem(
        app.post(&path, d1, marks.clone()).await,
        409,
        "already-cast",
    );
    let (_, now) = app.get(&format!("/votes/{id}"), &council.chair).await;
    assert_eq!(now["ballots_cast"], 1);
    assert_eq!(now["eligible"], 3);

    app.post_empty(&format!("/votes/{id}/close"), &council.chair)
        .await;
    assert_problem(
        app.post(&path, &council.chair, marks).await,
        409,
        "invalid-state",
    );
    let (status, ballot) = app.get(&path, d1).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ballot["cast"], true);
}

#[tokio::test]
async fn no_count_of_any_choice_is_visible_before_close() {
    let app = TestApp::spawn().await;
    let council = app.council(10, 3).await;
    let vote = app.vote(&council, "rating", 2, None).await;
    let id = vote["id"].as_str().unwrap();
    let subjects = subject_ids(&vote);
    let tally = format!("/votes/{id}/tally");
    assert_problem(
        app.get(&tally, &council.admin).await,
        409,
        "tally-not-published",
    );
    app.post_empty(&format!("/votes/{id}/open"), &council.chair)
        .await;
    app.post(
        &format!("/votes/{id}/ballot"),
        &council.delegates[1],
        json!({"marks": {subjects[0].clone(): "low"}}),
    )
    .await;
    for token in [
        &council.admin,
        &council.chair,
        &council.auditor,
        &council.delegates[1],
    ] {
        assert_problem(app.get(&tally, token).await, 409, "tally-not-published");
        let (_, v) = app.get(&format!("/votes/{id}"), token).await;
        // Keys and values, not substrings: the Vote's `follow_up` holds "low" in its name.
        let words = keys_and_strings(&v);
        assert!(
            !words.iter().any(|w| *w == "low" || *w == "counts"),
            "a count leaked: {v}"
        );
        assert_eq!(v["ballots_cast"], 1);
    }
}

/// Every key and every string value anywhere in `v`.
fn keys_and_strings(v: &Value) -> Vec<&str> {
    match v {
        Value::String(s) => vec![s.as_str()],
        Value::Array(items) => items.iter().flat_map(keys_and_strings).collect(),
        Value::Object(map) => map
            .iter()
            .flat_map(|(k, v)| std::iter::once(k.as_str()).chain(keys_and_strings(v)))
            .collect(),
        _ => Vec::new(),
    }
}

/// 50 delegates, 10 subjects: every ballot is known, so the published tally can be checked
/// against an independent count made here.
#[tokio::test]
async fn fifty_delegates_ten_subjects_publish_the_tally_of_domain_md() {
    let app = TestApp::spawn().await;
    let council = app.council(60, 50).await;
    assert_eq!(council.delegates.len(), 50);
    let vote = app.vote(&council, "rating", 10, None).await;
    let id = vote["id"].as_str().unwrap().to_owned();
    let subjects = subject_ids(&vote);
    app.post_empty(&format!("/votes/{id}/open"), &council.chair)
        .await;
    let choices = ["high", "medium", "low"];
    // Delegate d marks subject s with a pattern that makes subject 9 collect many lows and
    // leaves some rows blank. 48 of the 50 cast.
    let mark = |d: usize, s: usize| -> Option<&'static str> {
        if (d + s).is_multiple_of(11) {
            None
        } else if s == 9 {
            Some(if d.is_multiple_of(5) { "high" } else { "low" })
        } else if s == 8 {
            Some(if d % 5 < 3 { "low" } else { "medium" })
        } else {
            Some(choices[(d * 7 + s * 3) % 3])
        }
    };
    let casts = (0..48).map(|d| {
        let marks: serde_json::Map<String, Value> = (0..10)
            .filter_map(|s| mark(d, s).map(|c| (subjects[s].clone(), json!(c))))
            .collect();
        let token = council.delegates[d].clone();
        let path = format!("/votes/{id}/ballot");
        let app = &app;
        async move { app.post(&path, &token, json!({"marks": marks})).await.0 }
    });
    let statuses = futures::future::join_all(casts).await;
    assert!(
        statuses.iter().all(|s| *s == StatusCode::CREATED),
        "{statuses:?}"
    );

    let (_, closed) = app
        .post_empty(&format!("/votes/{id}/close"), &council.chair)
        .await;
    assert_eq!(closed["ballots_cast"], 48);
    assert_eq!(closed["eligible"], 50);
    let (status, tally) = app
        .get(&format!("/votes/{id}/tally"), &council.auditor)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(tally["base"], 48);
    assert_eq!(tally["seats"], 60);
    assert_eq!(tally["percent_base"], "ballots");
    assert_eq!(tally["eligible"], 50);
    assert_eq!(tally["ballots_cast"], 48);
    assert_eq!(tally["vote_id"], id.as_str());
    assert_eq!(tally["council_id"], council.id.as_str());
    assert_eq!(tally["closed_at"], closed["closed_at"]);
    let results = tally["results"].as_array().unwrap();
    assert_eq!(results.len(), 10);
    for (s, result) in results.iter().enumerate() {
        assert_eq!(result["subject_id"], subjects[s].as_str(), "ballot order");
        assert_eq!(result["full_name"], format!("Subject {}", s + 1));
        let count = |c: Option<&str>| (0..48).filter(|&d| mark(d, s) == c).count() as u64;
        let expected = [
            count(Some("high")),
            count(Some("medium")),
            count(Some("low")),
            count(None),
        ];
        let got: Vec<u64> = ["high", "medium", "low", "blank"]
            .iter()
            .map(|k| result["counts"][k].as_u64().unwrap())
            .collect();
        assert_eq!(got, expected, "subject {s}");
        let keys: Vec<&String> = result["counts"].as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), 4);
        for (k, n) in ["high", "medium", "low", "blank"].iter().zip(expected) {
            // Independent check of half-up to two decimals: n/48 × 100 = n × 25 / 12.
            let hundredths = (n * 10_000 * 2 + 48) / 96;
            let text = format!("{}.{:02}", hundredths / 100, hundredths % 100);
            assert_eq!(result["percents"][k], text.as_str(), "subject {s} {k}");
        }
        let low = expected[2];
        let outcome = if 3 * low >= 2 * 48 {
            "dismissal_required"
        } else if 2 * low > 48 {
            "may_resign"
        } else {
            "none"
        };
        assert_eq!(result["outcome"], outcome, "subject {s}");
    }
    assert_eq!(results[8]["outcome"], "may_resign");
    assert_eq!(results[9]["outcome"], "dismissal_required");
    // The published tally does not change.
    let (_, again) = app.get(&format!("/votes/{id}/tally"), &council.admin).await;
    assert_eq!(again, tally);
}

/// Vĩnh Phúc HĐND 2023, Lê Duy Thành: 47 ballots, 19 / 2 / 25 and one blank row.
#[tokio::test]
async fn vinh_phuc_2023_is_reproduced_end_to_end() {
    let app = TestApp::spawn().await;
    let council = app.council(50, 47).await;
    let admin = &council.admin;
    let body = json!({"title": "Lấy phiếu tín nhiệm 2023", "kind": "rating",
        "subjects": [{"full_name": "Lê Duy Thành", "positions": ["Chủ tịch UBND tỉnh"]}]});
    let (_, vote) = app
        .post(&format!("/councils/{}/votes", council.id), admin, body)
        .await;
    let id = vote["id"].as_str().unwrap().to_owned();
    let subject = subject_ids(&vote)[0].clone();
    app.post_empty(&format!("/votes/{id}/open"), &council.chair)
        .await;
    let casts = council.delegates.iter().enumerate().map(|(i, token)| {
        let choice = match i {
            0..=18 => Some("high"),
            19..=20 => Some("medium"),
            21..=45 => Some("low"),
            _ => None,
        };
        let marks = match choice {
            Some(c) => json!({subject.clone(): c}),
            None => json!({}),
        };
        let path = format!("/votes/{id}/ballot");
        let app = &app;
        async move { app.post(&path, token, json!({"marks": marks})).await.0 }
    });
    let statuses = futures::future::join_all(casts).await;
    assert!(statuses.iter().all(|s| *s == StatusCode::CREATED));
    app.post_empty(&format!("/votes/{id}/close"), &council.chair)
        .await;
    let (_, tally) = app
        .get(&format!("/votes/{id}/tally"), &council.auditor)
        .await;
    let r = &tally["results"][0];
    assert_eq!(
        r["counts"],
        json!({"high": 19, "medium": 2, "low": 25, "blank": 1})
    );
    assert_eq!(
        r["percents"],
        json!({"high": "40.43", "medium": "4.26", "low": "53.19", "blank": "2.13"})
    );
    assert_eq!(r["outcome"], "may_resign");
    assert_eq!(tally["base"], 47);
}

#[tokio::test]
async fn confidence_votes_and_the_seats_base() {
    let app = TestApp::spawn().await;
    let council = app.council(10, 4).await;
    let vote = app.vote(&council, "confidence", 1, Some("seats")).await;
    assert_eq!(vote["percent_base"], "seats");
    let id = vote["id"].as_str().unwrap();
    let subject = subject_ids(&vote)[0].clone();
    app.post_empty(&format!("/votes/{id}/open"), &council.chair)
        .await;
    let (_, ballot) = app
        .get(&format!("/votes/{id}/ballot"), &council.chair)
        .await;
    assert_eq!(ballot["choices"], json!(["confidence", "no_confidence"]));
    assert_problem(
        app.post(
            &format!("/votes/{id}/ballot"),
            &council.chair,
            json!({"marks": {subject.clone(): "high"}}),
        )
        .await,
        422,
        "invalid-ballot",
    );
    for (token, choice) in council.delegates.iter().zip([
        "no_confidence",
        "no_confidence",
        "no_confidence",
        "confidence",
    ]) {
        let (status, _) = app
            .post(
                &format!("/votes/{id}/ballot"),
                token,
                json!({"marks": {subject.clone(): choice}}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    app.post_empty(&format!("/votes/{id}/close"), &council.chair)
        .await;
    let (_, tally) = app.get(&format!("/votes/{id}/tally"), &council.chair).await;
    assert_eq!(tally["base"], 10, "percentages of the seats");
    let r = &tally["results"][0];
    assert_eq!(
        r["counts"],
        json!({"confidence": 1, "no_confidence": 3, "blank": 0})
    );
    assert_eq!(
        r["percents"],
        json!({"confidence": "10.00", "no_confidence": "30.00", "blank": "0.00"})
    );
    // 3 of 10 seats is not more than half: no dismissal proposed under the seats base.
    assert_eq!(r["outcome"], "none");
}

#[tokio::test]
async fn closing_with_no_ballots_publishes_zeros_and_no_consequence() {
    let app = TestApp::spawn().await;
    let council = app.council(10, 2).await;
    let vote = app.vote(&council, "rating", 1, None).await;
    let id = vote["id"].as_str().unwrap();
    app.post_empty(&format!("/votes/{id}/open"), &council.chair)
        .await;
    app.post_empty(&format!("/votes/{id}/close"), &council.chair)
        .await;
    let (_, tally) = app.get(&format!("/votes/{id}/tally"), &council.chair).await;
    assert_eq!(tally["base"], 0);
    assert_eq!(tally["results"][0]["percents"]["low"], "0.00");
    assert_eq!(tally["results"][0]["outcome"], "none");
}

/// Once a vote's ballot layout is known, casts are checked in memory and by the ballot writer;
/// every refusal still gets the answer the full checks give, in their order, and stores nothing.
#[tokio::test]
async fn refusals_keep_their_answers_once_the_ballot_layout_is_known() {
    let app = TestApp::spawn().await;
    let council = app.council(10, 4).await;
    let other = app.council(10, 2).await;
    let vote = app.vote(&council, "rating", 2, None).await;
    let id = vote["id"].as_str().unwrap();
    let subjects = subject_ids(&vote);
    let path = format!("/votes/{id}/ballot");
    let good = json!({"marks": {subjects[0].clone(): "medium"}});
    let bad = json!({"marks": {subjects[0].clone(): "confidence"}});
    app.post_empty(&format!("/votes/{id}/open"), &council.chair)
        .await;
    let (d1, d2, d3) = (
        &council.delegates[1],
        &council.delegates[2],
        &council.delegates[3],
    );
    // The fetch a tablet makes first is where the replica learns the layout.
    let (status, ballot) = app.get(&path, d1).await;
    assert_eq!((status, &ballot["cast"]), (StatusCode::OK, &json!(false)));
    let (status, _) = app.post(&path, d1, good.clone()).await;
    assert_eq!(status, StatusCode::CREATED);

    assert_problem(app.post(&path, d1, good.clone()).await, 409, "already-cast");
    assert_problem(app.post(&path, d1, bad.clone()).await, 409, "already-cast");
    assert_problem(
        app.post(&path, &other.delegates[1], good.clone()).await,
        404,
        "not-found",
    );
    assert_problem(
        app.post(&path, &other.delegates[1], bad.clone()).await,
        404,
        "not-found",
    );
    assert_problem(
        app.post(&path, &council.auditor, good.clone()).await,
        403,
        "forbidden",
    );

    // A password set by the admin ends d2's token before the writer sees the cast.
    let status = app
        .set_password(&council, &council.usernames[3], "another-password-2")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_problem(
        app.post(&path, d2, good.clone()).await,
        401,
        "unauthenticated",
    );

    assert_problem(app.post(&path, d3, bad).await, 422, "invalid-ballot");
    let (status, _) = app.post(&path, d3, good.clone()).await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, now) = app.get(&format!("/votes/{id}"), &council.chair).await;
    assert_eq!(now["ballots_cast"], 2, "only d1 and d3 are in");

    // Closed: every cast is refused, each with the answer that comes first.
    app.post_empty(&format!("/votes/{id}/close"), &council.chair)
        .await;
    assert_problem(
        app.post(&path, &other.delegates[1], good.clone()).await,
        404,
        "not-found",
    );
    assert_problem(
        app.post(&path, d2, good.clone()).await,
        401,
        "unauthenticated",
    );
    assert_problem(
        app.post(&path, &council.auditor, good.clone()).await,
        403,
        "forbidden",
    );
    assert_problem(
        app.post(&path, &council.chair, good.clone()).await,
        409,
        "invalid-state",
    );
    assert_problem(app.post(&path, d1, good).await, 409, "invalid-state");
    let (_, tally) = app
        .get(&format!("/votes/{id}/tally"), &council.auditor)
        .await;
    assert_eq!(tally["ballots_cast"], 2);
}
