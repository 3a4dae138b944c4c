//! Signing in, councils and members, over real HTTP.

use crate::common::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn login_gives_a_bearer_token_and_me_says_who() {
    let app = TestApp::spawn().await;
    let (status, body) = app.login(ADMIN, ADMIN_PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 8 * 3600);
    let token = body["access_token"].as_str().unwrap();
    let (status, me) = app.get("/me", token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["username"], ADMIN);
    assert_eq!(me["council_id"], serde_json::Value::Null);
    assert_eq!(me["roles"], json!(["admin"]));

    let council = app.council(5, 2).await;
    let (_, me) = app.get("/me", &council.chair).await;
    assert_eq!(me["council_id"], council.id.as_str());
    assert_eq!(me["roles"], json!(["chair", "delegate"]));
    assert_eq!(me["full_name"], "Chủ tọa");
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_the_same_answer() {
    let app = TestApp::spawn().await;
    let wrong = assert_problem(
        app.login(ADMIN, "not-the-password").await,
        401,
        "unauthenticated",
    );
    let unknown = assert_problem(
        app.login("nobody", "not-the-password").await,
        401,
        "unauthenticated",
    );
    assert_eq!(wrong, unknown);
    assert!(
        !wrong.to_string().contains("not-the-password"),
        "password echoed: {wrong}"
    );
}

#[tokio::test]
async fn missing_forged_and_foreign_tokens_are_refused() {
    let app = TestApp::spawn().await;
    assert_problem(
        app.call(Method::GET, "/me", None, None).await,
        401,
        "unauthenticated",
    );
    assert_problem(app.get("/me", "not-a-jwt").await, 401, "unauthenticated");
    let token = app.admin().await;
    // Change one character of the payload: the signature no longer matches.
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let flipped = if parts[1].ends_with('A') { 'B' } else { 'A' };
    parts[1].pop();
    parts[1].push(flipped);
    assert_problem(
        app.get("/me", &parts.join(".")).await,
        401,
        "unauthenticated",
    );
    // A token signed by another installation.
    let other = TestApp::spawn().await;
    let foreign = other.admin().await;
    assert_problem(app.get("/me", &foreign).await, 401, "unauthenticated");
}

#[tokio::test]
async fn the_token_key_survives_a_restart() {
    let app = TestApp::spawn().await;
    let token = app.admin().await;
    let key_file = app.config.token_key_file.clone();
    let (dir, db, config) = app.stop().await;
    let app = TestApp::start(dir, db, config).await;
    let (status, _) = app.get("/me", &token).await;
    assert_eq!(status, StatusCode::OK, "signed out by a restart");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        if let Some(db) = app.db.sqlite_path() {
            for file in [db.clone(), db.with_extension("db-wal")] {
                let mode = std::fs::metadata(&file).unwrap().permissions().mode();
                assert_eq!(
                    mode & 0o777,
                    0o600,
                    "{} is readable by others",
                    file.display()
                );
            }
        }
    }
}

#[tokio::test]
async fn councils_are_created_and_listed_by_admins_and_seen_by_their_members() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (status, council) = app
        .post(
            "/councils",
            &admin,
            json!({"name": "HĐND tỉnh Đắk Lắk", "seats": 76}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(council["seats"], 76);
    assert_eq!(council["name"], "HĐND tỉnh Đắk Lắk");
    assert!(council["created_at"].as_str().unwrap().ends_with('Z'));
    let id = council["id"].as_str().unwrap();
    let (status, list) = app.get("/councils", &admin).await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.as_array().unwrap().iter().any(|c| c["id"] == id));
    let (status, got) = app.get(&format!("/councils/{id}"), &admin).await;
    assert_eq!((status, &got), (StatusCode::OK, &council));

    let mine = app.council(10, 2).await;
    let (status, _) = app
        .get(&format!("/councils/{}", mine.id), &mine.delegates[1])
        .await;
    assert_eq!(status, StatusCode::OK);
    // Another council does not exist for them.
    assert_problem(
        app.get(&format!("/councils/{id}"), &mine.delegates[1])
            .await,
        404,
        "not-found",
    );
    assert_problem(app.get("/councils", &mine.chair).await, 403, "forbidden");
    assert_problem(
        app.post("/councils", &mine.chair, json!({"name": "x", "seats": 3}))
            .await,
        403,
        "forbidden",
    );
    assert_problem(
        app.get(&format!("/councils/{}", uuid::Uuid::new_v4()), &admin)
            .await,
        404,
        "not-found",
    );
    assert_problem(
        app.get("/councils/not-a-uuid", &admin).await,
        404,
        "not-found",
    );
}

#[tokio::test]
async fn council_fields_are_validated() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    for bad in [
        json!({"name": "", "seats": 5}),
        json!({"name": "   ", "seats": 5}),
        json!({"name": "x", "seats": 0}),
        json!({"name": "x", "seats": -3}),
        json!({"name": "x".repeat(201), "seats": 5}),
    ] {
        assert_problem(
            app.post("/councils", &admin, bad).await,
            422,
            "validation-failed",
        );
    }
    for bad in [
        json!({"name": "x"}),
        json!({"name": "x", "seats": "five"}),
        json!({"name": "x", "seats": 5, "extra": 1}),
    ] {
        assert_problem(
            app.post("/councils", &admin, bad).await,
            400,
            "malformed-request",
        );
    }
    let (_, list) = app.get("/councils", &admin).await;
    assert_eq!(list, json!([]), "nothing stored by refused requests");
}

#[tokio::test]
async fn members_are_added_one_by_one_by_admins_only() {
    let app = TestApp::spawn().await;
    let council = app.council(10, 2).await;
    let path = format!("/councils/{}/members", council.id);
    let new = json!({"username": "pho-chu-tich", "full_name": "Trần Phú Hùng", "password": "long-enough-1", "roles": ["delegate", "auditor"]});
    let (status, member) = app.post(&path, &council.admin, new.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{member}");
    assert_eq!(member["roles"], json!(["delegate", "auditor"]));
    assert!(member.get("password").is_none() && member.get("password_hash").is_none());
    let token = app.token("pho-chu-tich", "long-enough-1").await;
    let (_, me) = app.get("/me", &token).await;
    assert_eq!(me["council_id"], council.id.as_str());

    assert_problem(
        app.post(&path, &council.admin, new.clone()).await,
        409,
        "username-taken",
    );
    assert_problem(
        app.post(&path, &council.chair, new.clone()).await,
        403,
        "forbidden",
    );
    for (field, value) in [
        ("username", json!("")),
        ("username", json!("has space")),
        ("full_name", json!("")),
        ("password", json!("short")),
        ("roles", json!([])),
        ("roles", json!(["admin"])),
        ("roles", json!(["president"])),
    ] {
        let mut bad = new.clone();
        bad[field] = value;
        bad["username"] = if field == "username" {
            bad["username"].clone()
        } else {
            json!("someone-else")
        };
        assert_problem(
            app.post(&path, &council.admin, bad).await,
            422,
            "validation-failed",
        );
    }
    let other = app.council(3, 1).await;
    assert_problem(
        app.post(
            &format!("/councils/{}/members", other.id),
            &council.chair,
            new,
        )
        .await,
        404,
        "not-found",
    );
}

#[tokio::test]
async fn members_are_listed_for_admins_and_chairs() {
    let app = TestApp::spawn().await;
    let council = app.council(10, 3).await;
    let path = format!("/councils/{}/members", council.id);
    let (status, list) = app.get(&path, &council.chair).await;
    assert_eq!(status, StatusCode::OK);
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["username"].as_str().unwrap())
        .collect();
    let mut expected: Vec<&str> = council.usernames.iter().map(String::as_str).collect();
    expected.sort();
    assert_eq!(names, expected);
    let (status, _) = app.get(&path, &council.admin).await;
    assert_eq!(status, StatusCode::OK);
    assert_problem(
        app.get(&path, &council.delegates[1]).await,
        403,
        "forbidden",
    );
    assert_problem(app.get(&path, &council.auditor).await, 403, "forbidden");
}

#[tokio::test]
async fn csv_import_creates_every_row_or_none_and_names_bad_lines() {
    let app = TestApp::spawn().await;
    let council = app.council(50, 1).await;
    let list_path = format!("/councils/{}/members", council.id);
    let (_, before) = app.get(&list_path, &council.admin).await;

    let bad = "username,full_name,roles,password\n\
               a1,An,delegate,password-1\n\
               a2,,delegate,password-1\n\
               a3,Ba,delegate;president,password-1\n\
               a1,Again,delegate,password-1\n\
               a5,Năm,chair,short\n"
        .to_owned();
    let (status, body) = app.send_csv(&council.admin, &council.id, bad).await;
    assert_eq!(status.as_u16(), 422, "{body}");
    let lines: Vec<u64> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [3, 4, 5, 6]);
    let detail = body["detail"].as_str().unwrap();
    assert!(
        detail.contains("line 3") && detail.contains("line 6"),
        "{detail}"
    );
    let (_, after) = app.get(&list_path, &council.admin).await;
    assert_eq!(before, after, "a refused import adds nobody");

    // A username that already exists refuses the whole file, naming its line.
    let taken = format!(
        "username,full_name,roles,password\nfresh-1,Một,delegate,password-1\n{},Chủ tọa,delegate,password-1\n",
        council.usernames[0]
    );
    let (status, body) = app.send_csv(&council.admin, &council.id, taken).await;
    assert_eq!(status.as_u16(), 409, "{body}");
    assert_eq!(body["type"], "urn:tinnhiem:problem:username-taken");
    assert_eq!(body["errors"][0]["line"], 3);
    let (_, after) = app.get(&list_path, &council.admin).await;
    assert_eq!(before, after);
    assert_problem(
        app.login("fresh-1", "password-1").await,
        401,
        "unauthenticated",
    );

    let good = "username,full_name,roles,password\n\
                b1,\"Nguyễn Văn, B\",delegate,password-1\n\
                b2,Trần Thị C,delegate;auditor,password-2\n"
        .to_owned();
    let (status, body) = app.send_csv(&council.admin, &council.id, good).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body, json!({"created": 2}));
    let token = app.token("b2", "password-2").await;
    let (_, me) = app.get("/me", &token).await;
    assert_eq!(me["roles"], json!(["delegate", "auditor"]));
    assert_eq!(me["full_name"], "Trần Thị C");
    let b1 = app.token("b1", "password-1").await;
    assert_eq!(app.get("/me", &b1).await.1["full_name"], "Nguyễn Văn, B");

    // Not CSV, no header, ragged rows, not an admin.
    let resp = app
        .client
        .post(app.url(&format!("/councils/{}/members/import", council.id)))
        .bearer_auth(&council.admin)
        .json(&json!({"username": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    let (status, body) = app
        .send_csv(&council.admin, &council.id, "name,pw\nx,y\n".into())
        .await;
    assert_eq!(status.as_u16(), 400, "{body}");
    let (status, body) = app
        .send_csv(
            &council.admin,
            &council.id,
            "username,full_name,roles,password\nc1,C,delegate\n".into(),
        )
        .await;
    assert_eq!(status.as_u16(), 422, "{body}");
    assert_eq!(body["errors"][0]["line"], 2);
    let (status, _) = app
        .send_csv(
            &council.chair,
            &council.id,
            "username,full_name,roles,password\nc1,C,delegate,password-1\n".into(),
        )
        .await;
    assert_eq!(status.as_u16(), 403);
}

#[tokio::test]
async fn malformed_requests_get_problem_json() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let send = |body: &'static str, content_type: &'static str| {
        app.client
            .post(app.url("/councils"))
            .bearer_auth(&admin)
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    for (body, ct, status, slug) in [
        ("{not json", "application/json", 400, "malformed-request"),
        (
            r#"{"name":"x","seats":5}"#,
            "text/plain",
            400,
            "malformed-request",
        ),
        (
            r#"{"name":"x","seats":5,"x":1}"#,
            "application/json",
            400,
            "malformed-request",
        ),
    ] {
        let resp = send(body, ct).await.unwrap();
        assert_eq!(resp.status().as_u16(), status);
        assert_eq!(resp.headers()["content-type"], "application/problem+json");
        let v: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(v["type"], format!("urn:tinnhiem:problem:{slug}"));
    }
    // Oversized body.
    let huge = format!(r#"{{"name":"{}","seats":5}}"#, "x".repeat(400 * 1024));
    let resp = app
        .client
        .post(app.url("/councils"))
        .bearer_auth(&admin)
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 413);
    let v: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(v["type"], "urn:tinnhiem:problem:payload-too-large");

    assert_problem(
        app.call(Method::GET, "/no/such/route", None, None).await,
        404,
        "not-found",
    );
    // Outside /api/v1 too (`/` itself is the ballot page: tests/pages.rs).
    let resp = app
        .client
        .get(format!(
            "{}/no-such-page",
            app.base.trim_end_matches("/api/v1")
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 404);
    assert_eq!(resp.headers()["content-type"], "application/problem+json");
    let resp = app
        .client
        .delete(app.url("/councils"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 405);
    assert!(resp.headers()["allow"].to_str().unwrap().contains("POST"));
    let (_, list) = app.get("/councils", &admin).await;
    assert_eq!(list, json!([]));
}

#[tokio::test]
async fn health_answers_once_the_database_does() {
    let app = TestApp::spawn().await;
    let (status, body) = app.call(Method::GET, "/healthz", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({"status": "ok"}));
}

#[tokio::test]
async fn create_admin_reads_the_password_from_stdin_and_never_prints_it() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let app = TestApp::spawn().await;
    let url = app.db.argument();
    let run = |name: &str, password: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tinnhiem"))
            .args(["create-admin", "--username", name, "--database", &url])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(format!("{password}\n").as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let out = run("operator", "operator-secret-9");
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{printed}");
    assert!(
        !printed.contains("operator-secret-9"),
        "password printed: {printed}"
    );
    let token = app.token("operator", "operator-secret-9").await;
    let (_, me) = app.get("/me", &token).await;
    assert_eq!(me["roles"], json!(["admin"]));

    let again = run("operator", "another-secret-9");
    assert!(!again.status.success(), "a taken username must fail");
    let short = run("operator2", "short");
    assert!(!short.status.success());
    assert_problem(
        app.login("operator2", "short").await,
        401,
        "unauthenticated",
    );
}
