//! Password guessing: failed sign-ins are limited per username and per address, a hall behind
//! one address is not locked out, and an unknown username costs the same work as a wrong
//! password.

use crate::common::*;
use diesel::prelude::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;
use tinnhiem::auth::LoginLimits;

/// Signs in with an optional `X-Forwarded-For`; returns status, Retry-After and body.
async fn attempt(
    app: &TestApp,
    username: &str,
    password: &str,
    forwarded_for: Option<&str>,
) -> (StatusCode, Option<u64>, Value) {
    let mut req = app
        .client
        .post(app.url("/auth/login"))
        .json(&json!({"username": username, "password": password}));
    if let Some(f) = forwarded_for {
        req = req.header("x-forwarded-for", f);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    let retry = resp
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().parse().expect("Retry-After in seconds"));
    let body: Value = resp.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        assert_problem_shape(status, &body);
    }
    (status, retry, body)
}

fn limits(per_username: u32, per_address: u32, window_secs: u64) -> LoginLimits {
    LoginLimits {
        per_username,
        per_address,
        window: Duration::from_secs(window_secs),
    }
}

#[tokio::test]
async fn failures_per_username_answer_429_with_retry_after_even_for_the_right_password() {
    let app = TestApp::spawn_with(|c| c.login_limits = limits(3, 0, 600)).await;
    for _ in 0..3 {
        let (status, _, _) = attempt(&app, ADMIN, "guess-guess", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, retry, body) = attempt(&app, ADMIN, ADMIN_PASSWORD, None).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["type"], "urn:tinnhiem:problem:rate-limited");
    let retry = retry.expect("Retry-After");
    assert!((1..=600).contains(&retry), "{retry}");
    assert!(body["detail"]
        .as_str()
        .unwrap()
        .contains(&retry.to_string()));

    // Unknown usernames are limited the same way: a 429 says nothing about existence.
    for _ in 0..3 {
        attempt(&app, "nobody-here", "guess-guess", None).await;
    }
    let (status, _, _) = attempt(&app, "nobody-here", "guess-guess", None).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);

    // Other usernames are not affected.
    let other = attempt(&app, "someone-else", "guess-guess", None).await;
    assert_eq!(other.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_success_forgets_the_usernames_failures_and_the_window_slides() {
    let app = TestApp::spawn_with(|c| c.login_limits = limits(2, 0, 2)).await;
    attempt(&app, ADMIN, "guess-guess", None).await;
    assert_eq!(
        attempt(&app, ADMIN, ADMIN_PASSWORD, None).await.0,
        StatusCode::OK
    );
    attempt(&app, ADMIN, "guess-guess", None).await;
    attempt(&app, ADMIN, "guess-guess", None).await;
    let (status, retry, _) = attempt(&app, ADMIN, ADMIN_PASSWORD, None).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    // Waiting as told lets the member in.
    tokio::time::sleep(Duration::from_secs(retry.unwrap())).await;
    assert_eq!(
        attempt(&app, ADMIN, ADMIN_PASSWORD, None).await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn parallel_guesses_for_one_username_do_not_slip_past_the_limit() {
    let app = TestApp::spawn_with(|c| c.login_limits = limits(5, 0, 600)).await;
    let guesses = (0..40).map(|i| {
        let app = &app;
        async move { attempt(app, ADMIN, &format!("guess-{i:04}"), None).await.0 }
    });
    let statuses = futures::future::join_all(guesses).await;
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    assert_eq!(checked, 5, "{statuses:?}");
    assert!(statuses
        .iter()
        .all(|s| *s == StatusCode::UNAUTHORIZED || *s == StatusCode::TOO_MANY_REQUESTS));
}

#[tokio::test]
async fn failures_per_address_are_limited_and_successes_never_count() {
    let app = TestApp::spawn_with(|c| c.login_limits = limits(0, 3, 600)).await;
    // Many successful sign-ins from one address: never limited.
    for _ in 0..10 {
        assert_eq!(
            attempt(&app, ADMIN, ADMIN_PASSWORD, None).await.0,
            StatusCode::OK
        );
    }
    for i in 0..3 {
        let (status, _, _) = attempt(&app, &format!("user{i}"), "guess-guess", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, retry, _) = attempt(&app, ADMIN, ADMIN_PASSWORD, None).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(retry.is_some());
    // Without a trusted proxy, X-Forwarded-For is the client's word and is ignored.
    let (status, _, _) = attempt(&app, ADMIN, ADMIN_PASSWORD, Some("198.51.100.9")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_is_counted_apart() {
    let app = TestApp::spawn_with(|c| {
        c.login_limits = limits(0, 2, 600);
        c.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await;
    let guesser = Some("203.0.113.7");
    for _ in 0..2 {
        assert_eq!(
            attempt(&app, "x", "guess-guess", guesser).await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        attempt(&app, ADMIN, ADMIN_PASSWORD, guesser).await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
    // A spoofed left-hand entry does not help: the proxy's own entry (rightmost) counts.
    assert_eq!(
        attempt(&app, ADMIN, ADMIN_PASSWORD, Some("192.0.2.1, 203.0.113.7"))
            .await
            .0,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        attempt(&app, ADMIN, ADMIN_PASSWORD, Some("203.0.113.8"))
            .await
            .0,
        StatusCode::OK,
        "another delegate behind the same proxy"
    );
}

#[tokio::test]
async fn a_hall_signing_in_at_once_from_one_address_is_not_locked_out_by_default() {
    let app = TestApp::spawn().await;
    assert_eq!(app.config.login_limits, LoginLimits::default());
    let admin = app.admin().await;
    let (_, council) = app
        .post("/councils", &admin, json!({"name": "Hall", "seats": 150}))
        .await;
    let id = council["id"].as_str().unwrap();
    let rows: Vec<_> = (0..150)
        .map(|i| {
            (
                format!("hall{i:03}"),
                format!("Đại biểu {i}"),
                "delegate".to_owned(),
            )
        })
        .collect();
    assert_eq!(app.import(&admin, id, &rows).await.0, StatusCode::CREATED);
    // Everyone at once, a quarter of them mistyping first.
    let sign_ins = rows.iter().enumerate().map(|(i, (u, _, _))| {
        let app = &app;
        async move {
            if i % 4 == 0 {
                let (status, _, _) = attempt(app, u, "mistyped-pass", None).await;
                assert_eq!(status, StatusCode::UNAUTHORIZED);
            }
            attempt(app, u, PASSWORD, None).await.0
        }
    });
    let statuses = futures::future::join_all(sign_ins).await;
    assert!(
        statuses.iter().all(|s| *s == StatusCode::OK),
        "{statuses:?}"
    );
}

#[tokio::test]
async fn an_unknown_username_costs_one_argon2_verification_like_a_wrong_password() {
    let app = TestApp::spawn().await;
    let council = app.council(3, 2).await;
    let passwords = &app.state.passwords;
    let d1 = &council.usernames[2];

    for (username, password) in [
        ("no-such-member", "any-password"),
        (d1.as_str(), "wrong-password"),
        (d1.as_str(), PASSWORD),
        ("", ""),
    ] {
        let before = passwords.verifications();
        attempt(&app, username, password, None).await;
        assert_eq!(
            passwords.verifications() - before,
            1,
            "{username:?}: exactly one Argon2 verification"
        );
    }

    // The decoy is made with the same algorithm and parameters as every stored hash, so the
    // one verification costs the same.
    let params = |phc: &str| phc.rsplitn(3, '$').last().unwrap().to_owned();
    let mut conn = app.db.connect();
    let stored: Vec<String> = tinnhiem::db::schema::members::table
        .select(tinnhiem::db::schema::members::password_hash)
        .load(&mut conn)
        .unwrap();
    assert!(stored.len() >= 3);
    for hash in &stored {
        assert_eq!(params(hash), params(passwords.decoy()));
    }
    assert_eq!(params(passwords.decoy()), "$argon2id$v=19$m=19456,t=2,p=1");
    // The answers are the same too.
    let unknown = attempt(&app, "no-such-member", "any-password", None).await;
    let wrong = attempt(&app, d1, "wrong-password", None).await;
    assert_eq!(unknown.2, wrong.2);
}

#[tokio::test]
async fn wrong_current_passwords_count_as_failed_sign_ins() {
    let app = TestApp::spawn_with(|c| c.login_limits = limits(2, 0, 600)).await;
    let token = app.admin().await;
    let change = |current: &'static str| {
        app.post(
            "/me/password",
            &token,
            json!({"current_password": current, "new_password": "a-new-password"}),
        )
    };
    assert_problem(change("guess-1-guess").await, 422, "validation-failed");
    assert_problem(change("guess-2-guess").await, 422, "validation-failed");
    assert_problem(change(ADMIN_PASSWORD).await, 429, "rate-limited");
    assert_eq!(app.get("/me", &token).await.0, StatusCode::OK);
}

#[tokio::test]
async fn an_admin_setting_a_new_password_lets_a_locked_out_member_in() {
    let app = TestApp::spawn_with(|c| c.login_limits = limits(2, 0, 600)).await;
    let council = app.council(3, 2).await;
    let d1 = council.usernames[2].clone();
    for _ in 0..2 {
        attempt(&app, &d1, "someone-guessing", None).await;
    }
    assert_eq!(
        attempt(&app, &d1, PASSWORD, None).await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
    let status = app.set_password(&council, &d1, "fresh-password-9").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        attempt(&app, &d1, "fresh-password-9", None).await.0,
        StatusCode::OK
    );
}
