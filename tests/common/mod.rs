//! A real tinnhiem server on a loopback port, on a database of its own, and an HTTP client.
//!
//! SQLite by default (a file in a fresh temporary directory). With `TINNHIEM_TEST_POSTGRES`
//! set to a server URL (e.g. `postgres://postgres@127.0.0.1:5432/test`), each test gets a
//! fresh PostgreSQL database on that server instead, dropped when the test ends.
//!
//! Tests that need PostgreSQL itself are marked
//! `#[ignore = "needs PostgreSQL: set TINNHIEM_TEST_POSTGRES"]`, so that a run on SQLite reports
//! them as ignored; `-- --include-ignored` runs them, and they fail without the variable.

mod postgres;
pub mod process;

use diesel::connection::SimpleConnection;
use diesel::Connection;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::net::TcpListener;
use std::path::PathBuf;
use std::time::Duration;
use tinnhiem::{AppState, Config, DatabaseUrl};

pub use process::ServerProcess;

pub const ADMIN: &str = "admin";
pub const ADMIN_PASSWORD: &str = "admin-password-1";
pub const PASSWORD: &str = "delegate-password";
pub use postgres::{postgres_url, POSTGRES_ENV};

/// The PostgreSQL server, for a test that cannot run without one: fails with what to set.
pub fn require_postgres() -> String {
    postgres_url().unwrap_or_else(|| {
        panic!(
            "needs PostgreSQL: set {POSTGRES_ENV} (e.g. postgres://postgres@127.0.0.1:5432/test)"
        )
    })
}

pub struct TestDb {
    pub url: DatabaseUrl,
    /// The server URL and database name to drop, on PostgreSQL.
    drop_from: Option<(String, String)>,
}

impl TestDb {
    /// A fresh database: on PostgreSQL when the suite runs there, else a SQLite file in `dir`.
    pub fn new(dir: &std::path::Path) -> TestDb {
        match postgres_url() {
            Some(server) => TestDb::on_postgres(server),
            None => TestDb {
                url: DatabaseUrl::Sqlite(dir.join("tinnhiem.db")),
                drop_from: None,
            },
        }
    }

    /// A fresh PostgreSQL database, for a test that needs PostgreSQL whatever the run.
    pub fn postgres() -> TestDb {
        TestDb::on_postgres(require_postgres())
    }

    fn on_postgres(server: String) -> TestDb {
        let name = format!("tinnhiem_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = diesel::PgConnection::establish(&server)
            .unwrap_or_else(|e| panic!("{POSTGRES_ENV}={server}: cannot connect: {e}"));
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create test database");
        let (base, _) = server.rsplit_once('/').expect("a database in the URL");
        TestDb {
            url: DatabaseUrl::Postgres(format!("{base}/{name}")),
            drop_from: Some((server, name)),
        }
    }

    pub fn sqlite_path(&self) -> Option<PathBuf> {
        match &self.url {
            DatabaseUrl::Sqlite(p) => Some(p.clone()),
            DatabaseUrl::Postgres(_) => None,
        }
    }

    /// The database as `tinnhiem serve --database` takes it: a SQLite path or a URL.
    pub fn argument(&self) -> String {
        match &self.url {
            DatabaseUrl::Sqlite(p) => p.to_string_lossy().into_owned(),
            DatabaseUrl::Postgres(u) => u.clone(),
        }
    }

    /// A direct connection, as a database administrator would have.
    pub fn connect(&self) -> tinnhiem::db::DbConn {
        tinnhiem::db::Manager::new(self.url.clone())
            .connect()
            .expect("direct database connection")
    }
}

/// How many electors of the vote have cast, as the database says.
pub fn electors_cast(conn: &mut tinnhiem::db::DbConn, vote_id: &str) -> usize {
    use diesel::prelude::*;
    use tinnhiem::db::schema::electors;
    let cast: i64 = electors::table
        .filter(electors::vote_id.eq(vote_id))
        .filter(electors::has_cast.eq(true))
        .count()
        .get_result(conn)
        .expect("count electors");
    cast as usize
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((server, name)) = &self.drop_from {
            if let Ok(mut admin) = diesel::PgConnection::establish(server) {
                let _ =
                    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

/// A client of one tinnhiem server: every request helper the tests use.
pub struct Api {
    pub base: String,
    pub client: reqwest::Client,
}

pub struct TestApp {
    pub api: Api,
    pub db: TestDb,
    pub config: Config,
    /// The running service's shared state (its counters, its token keys).
    pub state: AppState,
    server: actix_web::dev::ServerHandle,
    // Last: the directory outlives the database files in it.
    pub dir: tempfile::TempDir,
}

pub fn test_config(db: &TestDb, dir: &std::path::Path) -> Config {
    let mut config = Config::for_database(db.url.clone());
    config.token_key_file = dir.join("tinnhiem-token.key");
    config.signing_key_file = dir.join("tinnhiem-signing.key");
    config.pool_size = 8;
    config.hash_concurrency = 2;
    config.bootstrap_admin = Some((ADMIN.into(), ADMIN_PASSWORD.into()));
    config
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    /// Starts a server; `adjust` may change the configuration first.
    pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = TestDb::new(dir.path());
        let mut config = test_config(&db, dir.path());
        adjust(&mut config);
        Self::start(dir, db, config).await
    }

    pub async fn start(dir: tempfile::TempDir, db: TestDb, config: Config) -> TestApp {
        let cfg = config.clone();
        let state = tokio::task::spawn_blocking(move || AppState::start(cfg))
            .await
            .expect("start task")
            .expect("service starts");
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let port = listener.local_addr().expect("address").port();
        let server = tinnhiem::server(state.clone(), listener, 2).expect("server");
        let handle = server.handle();
        tokio::spawn(server);
        TestApp {
            api: Api::new(format!("http://127.0.0.1:{port}/api/v1")),
            db,
            config,
            state,
            server: handle,
            dir,
        }
    }

    /// Stops the server, keeping the database and directory for a restart.
    pub async fn stop(mut self) -> (tempfile::TempDir, TestDb, Config) {
        self.server.stop(true).await;
        let placeholder = TestDb {
            url: DatabaseUrl::Sqlite(PathBuf::new()),
            drop_from: None,
        };
        let db = std::mem::replace(&mut self.db, placeholder);
        let dir = std::mem::replace(&mut self.dir, tempfile::tempdir().expect("temp dir"));
        (dir, db, self.config.clone())
    }
}

impl std::ops::Deref for TestApp {
    type Target = Api;
    fn deref(&self) -> &Api {
        &self.api
    }
}

impl Api {
    pub fn new(base: String) -> Api {
        Api {
            base,
            // Idle connections are dropped well before the server's keep-alive (5 s) ends them,
            // so a request never goes out on a connection the server is closing.
            client: reqwest::Client::builder()
                .pool_idle_timeout(Duration::from_secs(2))
                .timeout(Duration::from_secs(60))
                .build()
                .expect("client"),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Sends a request; returns the status and the body as JSON (Null when empty).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.client.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("request sent");
        let status = resp.status();
        let problem = resp
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap_or("").to_owned());
        let text = resp.text().await.expect("body");
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        if !status.is_success() {
            assert_eq!(
                problem.as_deref(),
                Some("application/problem+json"),
                "{status} without problem+json: {value}"
            );
            assert_problem_shape(status, &value);
        }
        (status, value)
    }

    pub async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    /// POST with no body (open, close).
    pub async fn post_empty(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(token), None).await
    }

    pub async fn login(&self, username: &str, password: &str) -> (StatusCode, Value) {
        self.call(
            Method::POST,
            "/auth/login",
            None,
            Some(json!({"username": username, "password": password})),
        )
        .await
    }

    pub async fn token(&self, username: &str, password: &str) -> String {
        let (status, body) = self.login(username, password).await;
        assert_eq!(status, StatusCode::OK, "login {username}: {body}");
        body["access_token"].as_str().expect("token").to_owned()
    }

    /// The id of the council member signed in as `username`, from the admin's member list.
    pub async fn member_id(&self, council: &Council, username: &str) -> String {
        let (_, list) = self
            .get(&format!("/councils/{}/members", council.id), &council.admin)
            .await;
        list.as_array()
            .expect("member list")
            .iter()
            .find(|m| m["username"] == username)
            .unwrap_or_else(|| panic!("{username} in {list}"))["id"]
            .as_str()
            .expect("member id")
            .to_owned()
    }

    /// The admin sets `username`'s password (which ends their sign-ins); returns the status.
    pub async fn set_password(
        &self,
        council: &Council,
        username: &str,
        password: &str,
    ) -> StatusCode {
        let id = self.member_id(council, username).await;
        self.call(
            Method::PUT,
            &format!("/councils/{}/members/{id}/password", council.id),
            Some(&council.admin),
            Some(json!({ "password": password })),
        )
        .await
        .0
    }

    pub async fn admin(&self) -> String {
        self.token(ADMIN, ADMIN_PASSWORD).await
    }

    /// Imports members from CSV rows `(username, full_name, roles)`; all get [`PASSWORD`].
    pub async fn import(
        &self,
        admin: &str,
        council_id: &str,
        rows: &[(String, String, String)],
    ) -> (StatusCode, Value) {
        let mut csv = String::from("username,full_name,roles,password\n");
        for (u, f, r) in rows {
            csv.push_str(&format!("{u},{f},{r},{PASSWORD}\n"));
        }
        self.send_csv(admin, council_id, csv).await
    }

    pub async fn send_csv(
        &self,
        admin: &str,
        council_id: &str,
        csv: String,
    ) -> (StatusCode, Value) {
        let resp = self
            .client
            .post(self.url(&format!("/councils/{council_id}/members/import")))
            .bearer_auth(admin)
            .header("content-type", "text/csv")
            .body(csv)
            .send()
            .await
            .expect("import sent");
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// A council with `delegates` delegates (d1, d2, …), a chair who is also a delegate
    /// (`chair`), and an auditor (`auditor`); returns their tokens.
    pub async fn council(&self, seats: i64, delegates: usize) -> Council {
        let admin = self.admin().await;
        let (status, council) = self
            .post(
                "/councils",
                &admin,
                json!({"name": "HĐND tỉnh Thử nghiệm", "seats": seats}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{council}");
        let id = council["id"].as_str().expect("id").to_owned();
        let prefix = &id[..8];
        let mut rows = vec![
            (
                format!("chair-{prefix}"),
                "Chủ tọa".to_owned(),
                "chair;delegate".to_owned(),
            ),
            (
                format!("auditor-{prefix}"),
                "Kiểm phiếu".to_owned(),
                "auditor".to_owned(),
            ),
        ];
        for i in 1..=delegates.saturating_sub(1) {
            rows.push((
                format!("d{i}-{prefix}"),
                format!("Đại biểu {i}"),
                "delegate".to_owned(),
            ));
        }
        let (status, body) = self.import(&admin, &id, &rows).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let logins = rows.iter().map(|(u, _, _)| self.token(u, PASSWORD));
        let tokens = futures::future::join_all(logins).await;
        let chair = tokens[0].clone();
        let auditor = tokens[1].clone();
        let mut delegates_tokens = vec![chair.clone()];
        delegates_tokens.extend(tokens[2..].iter().cloned());
        Council {
            id,
            admin,
            chair,
            auditor,
            delegates: delegates_tokens,
            usernames: rows.into_iter().map(|(u, _, _)| u).collect(),
        }
    }

    /// Creates a vote in the council with subjects named `Subject 1…n` (one position each).
    pub async fn vote(
        &self,
        council: &Council,
        kind: &str,
        subjects: usize,
        base: Option<&str>,
    ) -> Value {
        let subjects: Vec<Value> = (1..=subjects)
            .map(|i| json!({"full_name": format!("Subject {i}"), "positions": [format!("Position {i}")]}))
            .collect();
        let mut body =
            json!({"title": "Lấy phiếu tín nhiệm 2026", "kind": kind, "subjects": subjects});
        if let Some(b) = base {
            body["percent_base"] = json!(b);
        }
        let (status, vote) = self
            .post(
                &format!("/councils/{}/votes", council.id),
                &council.chair,
                body,
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{vote}");
        vote
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Stop accepting; the runtime ends with the test.
        // The stop command is sent at once; waiting for it is not needed here.
        drop(self.server.stop(false));
    }
}

pub struct Council {
    pub id: String,
    pub admin: String,
    pub chair: String,
    pub auditor: String,
    /// Every delegate's token; the chair's is first.
    pub delegates: Vec<String>,
    /// chair, auditor, then d1, d2, …
    pub usernames: Vec<String>,
}

pub fn subject_ids(vote: &Value) -> Vec<String> {
    vote["subjects"]
        .as_array()
        .expect("subjects")
        .iter()
        .map(|s| s["id"].as_str().expect("subject id").to_owned())
        .collect()
}

/// Every error must be RFC 9457 problem details with our URN and a detail to act on.
pub fn assert_problem_shape(status: StatusCode, body: &Value) {
    let ty = body["type"].as_str().unwrap_or_default();
    assert!(ty.starts_with("urn:tinnhiem:problem:"), "type in {body}");
    assert_eq!(
        body["status"].as_u64(),
        Some(u64::from(status.as_u16())),
        "{body}"
    );
    assert!(
        body["title"].as_str().is_some_and(|t| !t.is_empty()),
        "{body}"
    );
    assert!(
        body["detail"].as_str().is_some_and(|d| d.len() > 10),
        "{body}"
    );
}

/// Asserts a problem with the given status and slug.
pub fn assert_problem(got: (StatusCode, Value), status: u16, slug: &str) -> Value {
    let (s, body) = got;
    assert_eq!(
        s.as_u16(),
        status,
        "expected {status} {slug}, got {s}: {body}"
    );
    assert_eq!(
        body["type"].as_str(),
        Some(format!("urn:tinnhiem:problem:{slug}").as_str()),
        "{body}"
    );
    body
}
