//! Hostile input: every limit answers 413 or 422 with a problem to act on, never a 500, and a
//! refused request stores nothing.

use crate::common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Sends a raw JSON body; returns status and problem body.
async fn raw(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: String,
) -> (StatusCode, Value) {
    let mut req = app
        .client
        .request(method, app.url(path))
        .header("content-type", "application/json")
        .body(body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    assert_eq!(
        resp.headers()["content-type"],
        "application/problem+json",
        "{status}"
    );
    let body: Value = resp.json().await.unwrap();
    assert_problem_shape(status, &body);
    (status, body)
}

/// What a refused request could have changed: councils, members, votes of the council.
async fn snapshot(app: &TestApp, council: &Council) -> Value {
    let (_, councils) = app.get("/councils", &council.admin).await;
    let (_, members) = app
        .get(&format!("/councils/{}/members", council.id), &council.admin)
        .await;
    let (_, votes) = app
        .get(&format!("/councils/{}/votes", council.id), &council.admin)
        .await;
    json!([councils, members, votes])
}

fn subjects(n: usize, positions: usize) -> Vec<Value> {
    (0..n)
        .map(|i| {
            let p: Vec<String> = (0..positions).map(|j| format!("Chức vụ {j}")).collect();
            json!({"full_name": format!("Người {i}"), "positions": p})
        })
        .collect()
}

#[tokio::test]
async fn bodies_over_the_size_limit_get_413_on_every_json_route_and_store_nothing() {
    let app = TestApp::spawn().await;
    let council = app.council(10, 2).await;
    let vote = app.vote(&council, "rating", 2, None).await;
    let vote_id = vote["id"].as_str().unwrap();
    app.post_empty(&format!("/votes/{vote_id}/open"), &council.chair)
        .await;
    let member = app.get("/me", &council.delegates[1]).await.1["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let before = snapshot(&app, &council).await;
    let filler = "x".repeat(app.config.json_limit + 1);
    let cases = [
        (
            Method::POST,
            "/auth/login".to_owned(),
            None,
            json!({"username": filler, "password": "p"}),
        ),
        (
            Method::POST,
            "/councils".to_owned(),
            Some(&council.admin),
            json!({"name": filler, "seats": 5}),
        ),
        (
            Method::POST,
            format!("/councils/{}/members", council.id),
            Some(&council.admin),
            json!({"username": "u", "full_name": filler, "password": "password-1", "roles": ["delegate"]}),
        ),
        (
            Method::POST,
            format!("/councils/{}/votes", council.id),
            Some(&council.chair),
            json!({"title": filler, "kind": "rating", "subjects": subjects(1, 1)}),
        ),
        (
            Method::POST,
            format!("/votes/{vote_id}/ballot"),
            Some(&council.delegates[1]),
            json!({"marks": {filler.as_str(): "high"}}),
        ),
        (
            Method::PUT,
            format!("/councils/{}/members/{member}/password", council.id),
            Some(&council.admin),
            json!({"password": filler}),
        ),
        (
            Method::POST,
            "/me/password".to_owned(),
            Some(&council.chair),
            json!({"current_password": PASSWORD, "new_password": filler}),
        ),
    ];
    for (method, path, token, body) in cases {
        let (status, problem) = raw(
            &app,
            method.clone(),
            &path,
            token.map(String::as_str),
            body.to_string(),
        )
        .await;
        assert_eq!(
            status,
            StatusCode::PAYLOAD_TOO_LARGE,
            "{method} {path}: {problem}"
        );
        assert_eq!(problem["type"], "urn:tinnhiem:problem:payload-too-large");
        assert!(problem["detail"].as_str().unwrap().contains("send less"));
    }
    assert_eq!(snapshot(&app, &council).await, before);
    let (_, vote) = app.get(&format!("/votes/{vote_id}"), &council.chair).await;
    assert_eq!(vote["ballots_cast"], 0);
    assert_eq!(
        app.get("/me", &council.delegates[1]).await.0,
        StatusCode::OK
    );
    assert_eq!(app.get("/me", &council.chair).await.0, StatusCode::OK);
}

#[tokio::test]
async fn an_import_over_the_size_limit_gets_413_and_stores_nothing() {
    let app = TestApp::spawn_with(|c| c.csv_limit = 16 * 1024).await;
    let council = app.council(10, 1).await;
    let before = snapshot(&app, &council).await;
    let rows: Vec<_> = (0..600)
        .map(|i| {
            (
                format!("big{i:04}"),
                "Một người có tên dài".to_owned(),
                "delegate".to_owned(),
            )
        })
        .collect();
    let (status, body) = app.import(&council.admin, &council.id, &rows).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(body["type"], "urn:tinnhiem:problem:payload-too-large");
    assert_eq!(snapshot(&app, &council).await, before);
}

#[tokio::test]
async fn json_nested_past_the_limit_gets_413_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let council = app.council(10, 2).await;
    let vote = app.vote(&council, "rating", 1, None).await;
    let vote_id = vote["id"].as_str().unwrap();
    app.post_empty(&format!("/votes/{vote_id}/open"), &council.chair)
        .await;
    let before = snapshot(&app, &council).await;
    let deep = |depth: usize| format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
    let deep_object = |depth: usize| format!("{}1{}", r#"{"a":"#.repeat(depth), "}".repeat(depth));
    let cases = [
        (
            "/auth/login".to_owned(),
            None,
            format!(r#"{{"username":{},"password":"p"}}"#, deep(5000)),
        ),
        (
            "/councils".to_owned(),
            Some(&council.admin),
            format!(r#"{{"name":{},"seats":5}}"#, deep(33)),
        ),
        (
            format!("/councils/{}/votes", council.id),
            Some(&council.chair),
            format!(
                r#"{{"title":"t","kind":"rating","subjects":{}}}"#,
                deep_object(300)
            ),
        ),
        (
            format!("/votes/{vote_id}/ballot"),
            Some(&council.delegates[1]),
            format!(r#"{{"marks":{}}}"#, deep_object(1000)),
        ),
    ];
    for (path, token, body) in cases {
        let (status, problem) =
            raw(&app, Method::POST, &path, token.map(String::as_str), body).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{path}: {problem}");
        assert!(
            problem["detail"].as_str().unwrap().contains("nests deeper"),
            "{problem}"
        );
    }
    // Nesting within the limit but of the wrong shape is a plain malformed request.
    let (status, _) = raw(
        &app,
        Method::POST,
        "/councils",
        Some(&council.admin),
        format!(r#"{{"name":{},"seats":5}}"#, deep(10)),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(snapshot(&app, &council).await, before);
    let (_, vote) = app.get(&format!("/votes/{vote_id}"), &council.chair).await;
    assert_eq!(vote["ballots_cast"], 0);
}

#[tokio::test]
async fn subjects_and_positions_past_their_limits_get_422_and_store_nothing() {
    let app = TestApp::spawn().await;
    let council = app.council(10, 1).await;
    let path = format!("/councils/{}/votes", council.id);
    let before = snapshot(&app, &council).await;
    for (subjects, detail) in [
        (subjects(501, 1), "between 1 and 500"),
        (subjects(3, 21), "between 1 and 20 positions"),
    ] {
        let body = json!({"title": "Quá nhiều", "kind": "rating", "subjects": subjects});
        let problem = assert_problem(
            app.post(&path, &council.chair, body).await,
            422,
            "validation-failed",
        );
        assert!(
            problem["detail"].as_str().unwrap().contains(detail),
            "{problem}"
        );
    }
    assert_eq!(snapshot(&app, &council).await, before);
    // At the limits exactly, the vote is made.
    let body = json!({"title": "Đủ", "kind": "rating", "subjects": subjects(500, 20)});
    let (status, vote) = app.post(&path, &council.chair, body).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(vote["subjects"].as_array().unwrap().len(), 500);
}

#[tokio::test]
async fn an_import_of_more_than_5000_members_gets_413_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let council = app.council(10, 1).await;
    let before = snapshot(&app, &council).await;
    let rows: Vec<_> = (0..5001)
        .map(|i| {
            (
                format!("m{i:05}"),
                format!("Người {i}"),
                "delegate".to_owned(),
            )
        })
        .collect();
    let (status, body) = app.import(&council.admin, &council.id, &rows).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(body["type"], "urn:tinnhiem:problem:payload-too-large");
    assert!(body["detail"].as_str().unwrap().contains("5000"), "{body}");
    assert_eq!(snapshot(&app, &council).await, before);
}

#[tokio::test]
async fn strings_past_their_lengths_get_422_and_store_nothing() {
    let app = TestApp::spawn().await;
    let council = app.council(10, 2).await;
    let member = app.get("/me", &council.delegates[1]).await.1["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let before = snapshot(&app, &council).await;
    let long = |n: usize| "ệ".repeat(n);
    let new_member = |username: String, full_name: String, password: String| json!({"username": username, "full_name": full_name, "password": password, "roles": ["delegate"]});
    let members = format!("/councils/{}/members", council.id);
    let votes = format!("/councils/{}/votes", council.id);
    let cases = [
        (
            "/councils".to_owned(),
            json!({"name": long(201), "seats": 5}),
            "name",
        ),
        (
            members.clone(),
            new_member("a".repeat(65), "A".into(), "password-1".into()),
            "username",
        ),
        (
            members.clone(),
            new_member("ok-name".into(), long(201), "password-1".into()),
            "full_name",
        ),
        (
            members.clone(),
            new_member("ok-name".into(), "A".into(), "p".repeat(257)),
            "password",
        ),
        (
            votes.clone(),
            json!({"title": long(301), "kind": "rating", "subjects": subjects(1, 1)}),
            "title",
        ),
        (
            votes.clone(),
            json!({"title": "t", "kind": "rating", "subjects": [{"full_name": long(201), "positions": ["P"]}]}),
            "full_name",
        ),
        (
            votes.clone(),
            json!({"title": "t", "kind": "rating", "subjects": [{"full_name": "A", "positions": [long(301)]}]}),
            "positions[0]",
        ),
    ];
    for (path, body, field) in cases {
        let problem = assert_problem(
            app.post(&path, &council.admin, body).await,
            422,
            "validation-failed",
        );
        assert!(
            problem["detail"].as_str().unwrap().contains(field),
            "{field}: {problem}"
        );
    }
    let password_path = format!("{members}/{member}/password");
    let put = app.call(
        Method::PUT,
        &password_path,
        Some(&council.admin),
        Some(json!({"password": "p".repeat(257)})),
    );
    assert_problem(put.await, 422, "validation-failed");
    let change = app.post(
        "/me/password",
        &council.chair,
        json!({"current_password": PASSWORD, "new_password": "p".repeat(257)}),
    );
    assert_problem(change.await, 422, "validation-failed");
    assert_eq!(snapshot(&app, &council).await, before);
    assert_eq!(
        app.get("/me", &council.delegates[1]).await.0,
        StatusCode::OK
    );
    assert_eq!(app.get("/me", &council.chair).await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_ballot_with_thousands_of_unknown_marks_gets_422_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let council = app.council(10, 2).await;
    let vote = app.vote(&council, "rating", 3, None).await;
    let vote_id = vote["id"].as_str().unwrap();
    app.post_empty(&format!("/votes/{vote_id}/open"), &council.chair)
        .await;
    let marks: serde_json::Map<String, Value> = (0..5000)
        .map(|_| (uuid::Uuid::new_v4().to_string(), json!("high")))
        .collect();
    let ballot = format!("/votes/{vote_id}/ballot");
    assert_problem(
        app.post(&ballot, &council.delegates[1], json!({"marks": marks}))
            .await,
        422,
        "invalid-ballot",
    );
    let (_, vote) = app.get(&format!("/votes/{vote_id}"), &council.chair).await;
    assert_eq!(vote["ballots_cast"], 0);
    let (_, ballot) = app.get(&ballot, &council.delegates[1]).await;
    assert_eq!(ballot["cast"], false, "the delegate can still cast");
}

#[tokio::test]
async fn a_gzip_body_is_read_and_its_decoded_size_is_what_counts() {
    use std::io::Write;
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let gzip = |text: &str| {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(text.as_bytes()).unwrap();
        encoder.finish().unwrap()
    };
    let send = |body: Vec<u8>| {
        app.client
            .post(app.url("/councils"))
            .bearer_auth(&admin)
            .header("content-type", "application/json")
            .header("content-encoding", "gzip")
            .body(body)
            .send()
    };
    let resp = send(gzip(r#"{"name": "HĐND nén", "seats": 7}"#))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    // A few kilobytes that decode to more than the limit: refused, nothing stored.
    let bomb = format!(
        r#"{{"name": "{}", "seats": 7}}"#,
        " ".repeat(app.config.json_limit * 4)
    );
    let packed = gzip(&bomb);
    assert!(packed.len() < 16 * 1024);
    let resp = send(packed).await.unwrap();
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let (_, list) = app.get("/councils", &admin).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
}
