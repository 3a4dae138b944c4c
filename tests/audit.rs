//! The operator's log of a whole vote, read from the real binary's standard error: every state
//! change is there with who did it and how it ended, and no password, token or ballot content
//! is anywhere in it.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

struct Served {
    child: Child,
    log: Arc<Mutex<String>>,
    reader: Option<std::thread::JoinHandle<()>>,
    base: String,
}

impl Served {
    /// Starts `tinnhiem serve` on a free port and waits for it to say where it listens.
    fn start(db: &TestDb, dir: &std::path::Path, admin_password: &str) -> Served {
        let url = match &db.url {
            tinnhiem::DatabaseUrl::Sqlite(p) => p.display().to_string(),
            tinnhiem::DatabaseUrl::Postgres(u) => u.clone(),
        };
        let mut child = Command::new(env!("CARGO_BIN_EXE_tinnhiem"))
            .args(["serve", "--bind", "127.0.0.1:0", "--database", &url])
            .arg("--token-key-file")
            .arg(dir.join("token.key"))
            .arg("--signing-key-file")
            .arg(dir.join("signing.key"))
            .env("TINNHIEM_ADMIN_USERNAME", ADMIN)
            .env("TINNHIEM_ADMIN_PASSWORD", admin_password)
            .env("RUST_LOG", "info")
            .env_remove("DATABASE_URL")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start tinnhiem serve");
        let stderr = child.stderr.take().unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = mpsc::channel();
        let sink = log.clone();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if let Some(rest) = line.split("address=").nth(1) {
                    let address = rest.split_whitespace().next().unwrap_or("").to_owned();
                    let _ = tx.send(address);
                }
                let mut log = sink.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        let address = rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("no listening line: {}", log.lock().unwrap()));
        Served {
            child,
            log,
            reader: Some(reader),
            base: format!("http://{address}/api/v1"),
        }
    }

    /// Stops the server and returns everything it wrote.
    fn finish(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(reader) = self.reader.take() {
            reader.join().unwrap();
        }
        let log = self.log.lock().unwrap().clone();
        log
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Client {
    http: reqwest::Client,
    base: String,
}

impl Client {
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    async fn post(&self, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::POST, path, token, Some(body))
            .await
    }

    async fn login(&self, username: &str, password: &str) -> String {
        let (status, body) = self
            .post(
                "/auth/login",
                None,
                json!({"username": username, "password": password}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{username}: {body}");
        body["access_token"].as_str().unwrap().to_owned()
    }
}

fn secret(tag: &str) -> String {
    format!("{tag}-{}", uuid::Uuid::new_v4().simple())
}

/// The audit lines for `route` (the pattern) with `status`.
fn audit_lines<'a>(log: &'a str, method: &str, route: &str, status: u16) -> Vec<&'a str> {
    log.lines()
        .filter(|l| l.contains(" audit:"))
        .filter(|l| l.contains(&format!("method={method} ")))
        .filter(|l| l.contains(&format!("route=/api/v1{route} ")))
        .filter(|l| l.contains(&format!("status={status} ")))
        .collect()
}

#[tokio::test]
async fn the_log_of_a_whole_vote_records_each_change_and_leaks_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new(dir.path());
    let admin_password = secret("admin-pass");
    let served = Served::start(&db, dir.path(), &admin_password);
    let c = Client {
        http: reqwest::Client::new(),
        base: served.base.clone(),
    };
    let mut passwords = vec![admin_password.clone()];
    let mut tokens = Vec::new();

    let admin = c.login(ADMIN, &admin_password).await;
    tokens.push(admin.clone());
    // A typo'd sign-in with the password in the username field, as people do.
    let typo = secret("typed-into-username");
    passwords.push(typo.clone());
    let (status, _) = c
        .post(
            "/auth/login",
            None,
            json!({"username": typo, "password": "x"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let (_, council) = c
        .post(
            "/councils",
            Some(&admin),
            json!({"name": "HĐND tỉnh Nhật ký", "seats": 5}),
        )
        .await;
    let council_id = council["id"].as_str().unwrap().to_owned();
    let chair_password = secret("chair-pass");
    let chair_member = c
        .post(
            &format!("/councils/{council_id}/members"),
            Some(&admin),
            json!({"username": "chu-toa", "full_name": "Chủ tọa", "password": chair_password,
                   "roles": ["chair", "delegate"]}),
        )
        .await;
    assert_eq!(chair_member.0, StatusCode::CREATED);
    passwords.push(chair_password.clone());
    let mut csv = String::from("username,full_name,roles,password\n");
    let mut delegates = Vec::new();
    for i in 0..4 {
        let password = secret(&format!("d{i}-pass"));
        csv.push_str(&format!("dai-bieu-{i},Đại biểu {i},delegate,{password}\n"));
        passwords.push(password.clone());
        delegates.push((format!("dai-bieu-{i}"), password));
    }
    let resp = c
        .http
        .post(format!("{}/councils/{council_id}/members/import", c.base))
        .bearer_auth(&admin)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);

    let chair = c.login("chu-toa", &chair_password).await;
    tokens.push(chair.clone());
    let (status, vote) = c
        .post(
            &format!("/councils/{council_id}/votes"),
            Some(&chair),
            json!({"title": "Lấy phiếu tín nhiệm", "kind": "rating", "subjects": [
                {"full_name": "Nguyễn Văn A", "positions": ["Chủ tịch UBND"]},
                {"full_name": "Trần Thị B", "positions": ["Phó Chủ tịch UBND"]},
            ]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{vote}");
    let vote_id = vote["id"].as_str().unwrap().to_owned();
    let subject_ids: Vec<String> = subject_ids(&vote);
    let (status, _) = c
        .post(&format!("/votes/{vote_id}/open"), Some(&chair), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);

    let choices = ["high", "medium", "low"];
    let mut delegate_tokens = Vec::new();
    for (i, (username, password)) in delegates.iter().enumerate() {
        let token = c.login(username, password).await;
        tokens.push(token.clone());
        let marks = json!({
            subject_ids[0].clone(): choices[i % 3],
            subject_ids[1].clone(): choices[(i + 1) % 3],
        });
        let (status, body) = c
            .post(
                &format!("/votes/{vote_id}/ballot"),
                Some(&token),
                json!({"marks": marks}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        delegate_tokens.push(token);
    }
    // A refused ballot (a choice of the other kind) and a second cast.
    let (status, _) = c
        .post(
            &format!("/votes/{vote_id}/ballot"),
            Some(&chair),
            json!({"marks": {subject_ids[0].clone(): "no_confidence"}}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = c
        .post(
            &format!("/votes/{vote_id}/ballot"),
            Some(&delegate_tokens[0]),
            json!({"marks": {}}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = c
        .post(&format!("/votes/{vote_id}/close"), Some(&chair), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);

    // Account changes after the vote.
    let (_, me) = c
        .send(reqwest::Method::GET, "/me", Some(&delegate_tokens[1]), None)
        .await;
    let member_id = me["id"].as_str().unwrap().to_owned();
    let reset = secret("reset-pass");
    passwords.push(reset.clone());
    let (status, _) = c
        .send(
            reqwest::Method::PUT,
            &format!("/councils/{council_id}/members/{member_id}/password"),
            Some(&admin),
            Some(json!({"password": reset})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let own = secret("own-new-pass");
    passwords.push(own.clone());
    let (status, fresh) = c
        .post(
            "/me/password",
            Some(&delegate_tokens[2]),
            json!({"current_password": delegates[2].1, "new_password": own}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    tokens.push(fresh["access_token"].as_str().unwrap().to_owned());
    let (status, _) = c
        .post(
            &format!("/councils/{council_id}/members/{member_id}/deactivate"),
            Some(&admin),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let log = served.finish();
    assert!(log.contains("tinnhiem is listening"), "{log}");

    // Nothing secret, in any form.
    for password in &passwords {
        assert!(
            !log.contains(password.as_str()),
            "a password is in the log:\n{log}"
        );
    }
    for token in &tokens {
        for part in token.split('.') {
            assert!(!log.contains(part), "a token is in the log:\n{log}");
        }
    }
    let words: Vec<&str> = log
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .collect();
    for choice in [
        "high",
        "medium",
        "low",
        "no_confidence",
        "confidence",
        "marks",
    ] {
        assert!(!words.contains(&choice), "{choice:?} is in the log:\n{log}");
    }
    for subject in &subject_ids {
        assert!(
            !log.contains(subject.as_str()),
            "a ballot's subject id is in the log"
        );
    }
    assert!(
        !log.contains("Nguyễn Văn A"),
        "request bodies are not logged"
    );

    // Every state change, with who did it and how it ended.
    let admin_id = {
        let token = &tokens[0];
        let payload = token.split('.').nth(1).unwrap();
        use base64::Engine;
        let claims: Value = serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(payload)
                .unwrap(),
        )
        .unwrap();
        claims["sub"].as_str().unwrap().to_owned()
    };
    let signed_in = audit_lines(&log, "POST", "/auth/login", 200);
    assert_eq!(signed_in.len(), 2 + delegates.len(), "{log}");
    assert!(signed_in[0].contains(&format!("actor={admin_id} ")));
    let failed = audit_lines(&log, "POST", "/auth/login", 401);
    assert_eq!(failed.len(), 1);
    assert!(failed[0].contains("actor=- ") && failed[0].contains("outcome=refused"));
    for (method, route, status, count) in [
        ("POST", "/councils", 201, 1),
        ("POST", "/councils/{council_id}/members", 201, 1),
        ("POST", "/councils/{council_id}/members/import", 201, 1),
        ("POST", "/councils/{council_id}/votes", 201, 1),
        ("POST", "/votes/{vote_id}/open", 200, 1),
        ("POST", "/votes/{vote_id}/ballot", 201, delegates.len()),
        ("POST", "/votes/{vote_id}/ballot", 422, 1),
        ("POST", "/votes/{vote_id}/ballot", 409, 1),
        ("POST", "/votes/{vote_id}/close", 200, 1),
        (
            "PUT",
            "/councils/{council_id}/members/{member_id}/password",
            200,
            1,
        ),
        ("POST", "/me/password", 200, 1),
        (
            "POST",
            "/councils/{council_id}/members/{member_id}/deactivate",
            200,
            1,
        ),
    ] {
        let lines = audit_lines(&log, method, route, status);
        assert_eq!(lines.len(), count, "{method} {route} {status}:\n{log}");
        for line in lines {
            assert!(!line.contains("actor=- "), "{line}");
            let outcome = if status < 400 { "done" } else { "refused" };
            assert!(line.contains(&format!("outcome={outcome}")), "{line}");
        }
    }
    let close = audit_lines(&log, "POST", "/votes/{vote_id}/close", 200)[0];
    assert!(close.contains(&format!("ids=vote_id={vote_id}")), "{close}");
    // Reads are not state changes.
    assert!(!log
        .lines()
        .any(|l| l.contains(" audit:") && l.contains("method=GET")));
}
