//! A whole vote played over HTTP against a real `tinnhiem serve` process on loopback, and the
//! database engine's own durable-insert rate measured in the same run.

use futures_util::stream::{self, StreamExt};
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tinnhiem::db::{self, DbConn};
use tinnhiem::DatabaseUrl;

#[derive(Debug, Clone)]
pub struct BenchOptions {
    /// `None`: a SQLite file in a temporary directory. A `postgres://…/db` URL: a fresh
    /// database is created beside `db` on that server and dropped after.
    pub database: Option<String>,
    pub delegates: usize,
    pub subjects: usize,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Votes open and cast at once (each delegate casts in every one).
    pub votes: usize,
    /// Extra sign-ins fired while ballots are being cast (0: none).
    pub login_burst: usize,
    /// Ballots bulk-generated into a second vote whose close is timed (0: skip).
    pub scale: usize,
    /// How long the engine's insert loop runs.
    pub engine_secs: f64,
    /// The `tinnhiem` binary to run as the server.
    pub server_binary: std::path::PathBuf,
}

const ADMIN_PASSWORD: &str = "bench-admin-password";
const PASSWORD: &str = "bench-delegate-password";

/// Runs the benchmark; prints a report and, last, one JSON line.
pub fn run(options: BenchOptions) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| format!("temporary directory: {e}"))?;
    let target = Target::create(options.database.as_deref(), dir.path())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("runtime: {e}"))?;
    let result = runtime.block_on(play(&options, &target, dir.path()));
    target.drop_database();
    result
}

/// The database the server runs on.
struct Target {
    url: String,
    /// For PostgreSQL: the server URL and the database created for this run.
    created: Option<(String, String)>,
}

impl Target {
    fn create(database: Option<&str>, dir: &Path) -> Result<Target, String> {
        match database {
            Some(url) if url.starts_with("postgres") => {
                let name = format!("tinnhiem_bench_{}", uuid::Uuid::new_v4().simple());
                let mut admin = db::Manager::new(DatabaseUrl::parse(url))
                    .connect()
                    .map_err(|e| e.to_string())?;
                diesel::connection::SimpleConnection::batch_execute(
                    &mut admin,
                    &format!("CREATE DATABASE {name}"),
                )
                .map_err(|e| e.to_string())?;
                let base = url.rsplit_once('/').map_or(url, |(b, _)| b);
                Ok(Target {
                    url: format!("{base}/{name}"),
                    created: Some((url.to_owned(), name)),
                })
            }
            Some(path) => Ok(Target {
                url: path.to_owned(),
                created: None,
            }),
            None => Ok(Target {
                url: dir.join("bench.db").to_string_lossy().into_owned(),
                created: None,
            }),
        }
    }

    fn drop_database(&self) {
        if let Some((server, name)) = &self.created {
            if let Ok(mut admin) = db::Manager::new(DatabaseUrl::parse(server)).connect() {
                let _ = diesel::connection::SimpleConnection::batch_execute(
                    &mut admin,
                    &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                );
            }
        }
    }
}

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(binary: &Path, database: &str, dir: &Path) -> Result<Server, String> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| e.to_string())?
            .port();
        let child = Command::new(binary)
            .args([
                "serve",
                "--bind",
                &format!("127.0.0.1:{port}"),
                "--database",
                database,
            ])
            .env("TINNHIEM_ADMIN_USERNAME", "admin")
            .env("TINNHIEM_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("TINNHIEM_TOKEN_KEY_FILE", dir.join("bench-token.key"))
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        Ok(Server {
            child,
            base: format!("http://127.0.0.1:{port}/api/v1"),
        })
    }

    /// CPU seconds (user and system) the server process has used so far, from /proc.
    fn cpu_secs(&self) -> Option<f64> {
        cpu_secs_of(&format!("/proc/{}/stat", self.child.id()))
    }

    /// A memory figure of the server process from /proc (e.g. `VmHWM`, the peak), in MiB.
    fn memory_mb(&self, field: &str) -> Option<f64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let line = status.lines().find(|l| l.starts_with(field))?;
        let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kib / 1024.0)
    }

    fn peak_rss_mb(&self) -> Option<f64> {
        self.memory_mb("VmHWM:")
    }

    /// "rss N MiB (peak M)", for the report's lines.
    fn memory(&self) -> String {
        format!(
            "server rss {:.1} MiB, peak {:.1}",
            self.memory_mb("VmRSS:").unwrap_or(0.0),
            self.peak_rss_mb().unwrap_or(0.0)
        )
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
        body: Option<&Value>,
    ) -> Result<(u16, Value), String> {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = req.send().await.map_err(|e| format!("{path}: {e}"))?;
        let status = resp.status().as_u16();
        let value = resp.json().await.unwrap_or(Value::Null);
        Ok((status, value))
    }

    async fn expect(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
        want: u16,
    ) -> Result<Value, String> {
        let (status, value) = self.send(method, path, token, body).await?;
        if status != want {
            return Err(format!("{path}: expected {want}, got {status}: {value}"));
        }
        Ok(value)
    }

    /// Posts a body serialized beforehand and checks only the status, so that the load
    /// generator spends as little as it can of the cores it shares with the server.
    async fn post_prepared(
        &self,
        path: &str,
        token: &str,
        body: &[u8],
        want: u16,
    ) -> Result<(), String> {
        let resp = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_vec())
            .send()
            .await
            .map_err(|e| format!("{path}: {e}"))?;
        let status = resp.status().as_u16();
        let answer = resp.bytes().await.map_err(|e| format!("{path}: {e}"))?;
        if status != want {
            return Err(format!(
                "{path}: expected {want}, got {status}: {}",
                String::from_utf8_lossy(&answer)
            ));
        }
        Ok(())
    }

    /// Closes the vote as `chair`, fetches its tally as `reader`, checks that it counts
    /// `ballots`, and returns the milliseconds from the close request to the tally's arrival.
    async fn close_and_tally(
        &self,
        vote_id: &str,
        chair: &str,
        reader: &str,
        ballots: usize,
    ) -> Result<f64, String> {
        let t = Instant::now();
        let close = format!("/votes/{vote_id}/close");
        self.expect(reqwest::Method::POST, &close, Some(chair), None, 200)
            .await?;
        let tally_path = format!("/votes/{vote_id}/tally");
        let tally = self
            .expect(reqwest::Method::GET, &tally_path, Some(reader), None, 200)
            .await?;
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        if tally["ballots_cast"].as_u64() != Some(ballots as u64) {
            return Err(format!(
                "tally counts {} ballots, {ballots} were cast",
                tally["ballots_cast"]
            ));
        }
        Ok(ms)
    }

    async fn login(&self, username: &str, password: &str) -> Result<String, String> {
        let v = self
            .expect(
                reqwest::Method::POST,
                "/auth/login",
                None,
                Some(&json!({"username": username, "password": password})),
                200,
            )
            .await?;
        v["access_token"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| "no token".to_owned())
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

async fn play(options: &BenchOptions, target: &Target, dir: &Path) -> Result<(), String> {
    let server = Server::start(&options.server_binary, &target.url, dir)?;
    let client = Client {
        http: reqwest::Client::builder()
            .pool_max_idle_per_host(options.concurrency)
            .timeout(Duration::from_secs(120))
            .build()
            .map_err(|e| e.to_string())?,
        base: server.base.clone(),
    };
    let started = Instant::now();
    let admin = loop {
        match client.login("admin", ADMIN_PASSWORD).await {
            Ok(token) => break token,
            Err(_) if started.elapsed() < Duration::from_secs(60) => {
                tokio::time::sleep(Duration::from_millis(100)).await
            }
            Err(e) => return Err(format!("server did not come up: {e}")),
        }
    };
    let n = options.delegates.max(1);
    println!(
        "setting up: {n} delegates, {} subjects, {} in flight",
        options.subjects, options.concurrency
    );

    let council = client
        .expect(
            reqwest::Method::POST,
            "/councils",
            Some(&admin),
            Some(&json!({"name": "Bench council", "seats": n})),
            201,
        )
        .await?;
    let council_id = council["id"].as_str().unwrap_or_default().to_owned();
    let mut csv = String::from("username,full_name,roles,password\nchair,Chair,chair;delegate,")
        + PASSWORD
        + "\nauditor,Auditor,auditor,"
        + PASSWORD
        + "\n";
    for i in 1..n {
        csv.push_str(&format!("d{i},Delegate {i},delegate,{PASSWORD}\n"));
    }
    let resp = client
        .http
        .post(format!(
            "{}/councils/{council_id}/members/import",
            client.base
        ))
        .bearer_auth(&admin)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if resp.status().as_u16() != 201 {
        return Err(format!(
            "import failed: {}",
            resp.text().await.unwrap_or_default()
        ));
    }

    // Sign-ins.
    let usernames: Vec<String> = std::iter::once("chair".to_owned())
        .chain((1..n).map(|i| format!("d{i}")))
        .collect();
    let t = Instant::now();
    let tokens: Vec<String> = stream::iter(usernames.iter().map(|u| client.login(u, PASSWORD)))
        .buffered(options.concurrency)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<_, _>>()?;
    let logins_per_s = n as f64 / t.elapsed().as_secs_f64();
    println!(
        "sign-ins:        {n} in {:.2} s = {logins_per_s:.1}/s",
        t.elapsed().as_secs_f64()
    );
    let chair = tokens[0].clone();
    let auditor = client.login("auditor", PASSWORD).await?;

    // The votes: one by default; several play councils voting at the same moment.
    let subjects: Vec<Value> = (1..=options.subjects)
        .map(|i| json!({"full_name": format!("Subject {i}"), "positions": [format!("Position {i}")]}))
        .collect();
    let mut votes: Vec<(String, Vec<String>)> = Vec::new();
    for v in 0..options.votes.max(1) {
        let vote = client
            .expect(
                reqwest::Method::POST,
                &format!("/councils/{council_id}/votes"),
                Some(&chair),
                Some(&json!({"title": format!("Bench vote {v}"), "kind": "rating", "subjects": subjects})),
                201,
            )
            .await?;
        let vote_id = vote["id"].as_str().unwrap_or_default().to_owned();
        let subject_ids: Vec<String> = vote["subjects"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s["id"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        client
            .expect(
                reqwest::Method::POST,
                &format!("/votes/{vote_id}/open"),
                Some(&chair),
                None,
                200,
            )
            .await?;
        votes.push((vote_id, subject_ids));
    }

    // Every delegate fetches the ballot, as a tablet does before casting.
    let ballot_path = format!("/votes/{}/ballot", votes[0].0);
    let t = Instant::now();
    let fetched: Vec<Result<Value, String>> = stream::iter(
        tokens
            .iter()
            .map(|tok| client.expect(reqwest::Method::GET, &ballot_path, Some(tok), None, 200)),
    )
    .buffer_unordered(options.concurrency)
    .collect()
    .await;
    fetched.into_iter().collect::<Result<Vec<_>, _>>()?;
    println!("ballot fetches:  {n} in {:.2} s", t.elapsed().as_secs_f64());

    // Casts, each timed from send to answer; a sign-in burst alongside if asked. With several
    // votes, each delegate's casts are interleaved across them.
    let mut rng = rand::rngs::StdRng::seed_from_u64(96);
    let mut requests: Vec<(String, &String, Vec<u8>)> = Vec::with_capacity(n * votes.len());
    for token in &tokens {
        for (vote_id, subject_ids) in &votes {
            let marks: serde_json::Map<String, Value> = subject_ids
                .iter()
                .filter_map(|s| match rng.gen_range(0..10) {
                    0..=5 => Some((s.clone(), json!("high"))),
                    6..=7 => Some((s.clone(), json!("medium"))),
                    8 => Some((s.clone(), json!("low"))),
                    _ => None,
                })
                .collect();
            requests.push((
                format!("/votes/{vote_id}/ballot"),
                token,
                json!({"marks": marks}).to_string().into_bytes(),
            ));
        }
    }
    let total = requests.len();
    let burst = async {
        let t = Instant::now();
        let done: Vec<Result<String, String>> = stream::iter(
            (0..options.login_burst).map(|i| client.login(&usernames[i % n], PASSWORD)),
        )
        .buffer_unordered(options.concurrency)
        .collect()
        .await;
        (done.iter().filter(|r| r.is_ok()).count(), t.elapsed())
    };
    let casts = async {
        let t = Instant::now();
        let latencies: Vec<Result<f64, String>> =
            stream::iter(requests.iter().map(|(path, tok, body)| {
                let client = &client;
                async move {
                    let t = Instant::now();
                    client.post_prepared(path, tok, body, 201).await?;
                    Ok(t.elapsed().as_secs_f64() * 1000.0)
                }
            }))
            .buffer_unordered(options.concurrency)
            .collect()
            .await;
        (latencies, t.elapsed())
    };
    let cpu_before = (server.cpu_secs(), cpu_secs_of("/proc/self/stat"));
    let ((latencies, cast_time), (burst_ok, burst_time)) = tokio::join!(casts, burst);
    let cpu_after = (server.cpu_secs(), cpu_secs_of("/proc/self/stat"));
    let mut latencies = latencies
        .into_iter()
        .collect::<Result<Vec<f64>, String>>()?;
    latencies.sort_by(f64::total_cmp);
    let ballots_per_s = total as f64 / cast_time.as_secs_f64();
    let (p50, p95, p99) = (
        percentile(&latencies, 50.0),
        percentile(&latencies, 95.0),
        percentile(&latencies, 99.0),
    );
    let max = latencies.last().copied().unwrap_or(0.0);
    println!(
        "casts:           {total} in {:.2} s = {ballots_per_s:.1}/s",
        cast_time.as_secs_f64()
    );
    println!(
        "cast latency ms: p50 {p50:.2}  p95 {p95:.2}  p99 {p99:.2}  max {max:.2}; {}",
        server.memory()
    );
    if let ((Some(s0), Some(c0)), (Some(s1), Some(c1))) = (cpu_before, cpu_after) {
        let per_cast = |secs: f64| secs * 1e6 / total as f64;
        println!(
            "cpu per cast:    server {:.0} µs, load generator {:.0} µs{}",
            per_cast(s1 - s0),
            per_cast(c1 - c0),
            if options.login_burst > 0 {
                " (the sign-in burst's hashing included)"
            } else {
                ""
            }
        );
    }
    if options.login_burst > 0 {
        println!(
            "sign-in burst:   {burst_ok} of {} sign-ins during the casts, {:.2} s",
            options.login_burst,
            burst_time.as_secs_f64()
        );
    }

    // Close each vote, and fetch its tally as an auditor downloads it; the median is reported.
    let mut closes = Vec::new();
    for (vote_id, _) in &votes {
        closes.push(client.close_and_tally(vote_id, &chair, &auditor, n).await?);
    }
    closes.sort_by(f64::total_cmp);
    let close_ms = closes[closes.len() / 2];
    println!(
        "close → tally:   {close_ms:.1} ms ({n} ballots × {} subjects{})",
        options.subjects,
        if closes.len() > 1 {
            format!("; median of {} votes", closes.len())
        } else {
            String::new()
        }
    );

    if options.scale > 0 {
        let ms = scale_close(&client, &target.url, &council_id, &chair, options).await?;
        println!(
            "scale close:     {} bulk-generated ballots closed and tallied in {ms:.0} ms",
            options.scale
        );
    }
    let peak_rss_mb = server.peak_rss_mb().unwrap_or(0.0);
    println!("server peak RSS: {peak_rss_mb:.1} MiB");
    drop(server);

    let engine = engine_inserts_per_s(&target.url, dir, options.engine_secs)?;
    let ratio = ballots_per_s / engine;
    println!(
        "engine limit:    {engine:.1} one-row durable inserts/s; ballots/s ÷ that = {ratio:.2}"
    );
    println!(
        "{}",
        json!({
            "ballots_per_s": round2(ballots_per_s),
            "engine_inserts_per_s": round2(engine),
            "ratio": round2(ratio),
            "cast_p50_ms": round2(p50),
            "cast_p99_ms": round2(p99),
            "close_ms": round2(close_ms),
            "peak_rss_mb": round2(peak_rss_mb),
            "logins_per_s": round2(logins_per_s),
        })
    );
    Ok(())
}

/// utime + stime of a /proc/…/stat file, in seconds (fields 14 and 15, counted after the
/// command name, which may hold spaces but ends at the last ')').
fn cpu_secs_of(stat_path: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(stat_path).ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    // SAFETY: sysconf only reads a system constant.
    let per_sec = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    (per_sec > 0.0).then(|| ticks / per_sec)
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The engine's own limit: one-row inserts, each its own durable transaction, on the same
/// engine with the same settings (SQLite: a file beside the bench database, same pragmas).
fn engine_inserts_per_s(url: &str, dir: &Path, secs: f64) -> Result<f64, String> {
    let url = match DatabaseUrl::parse(url) {
        DatabaseUrl::Sqlite(_) => DatabaseUrl::Sqlite(dir.join("engine.db")),
        pg => pg,
    };
    let mut conn = db::Manager::new(url).connect().map_err(|e| e.to_string())?;
    let create = match conn {
        DbConn::Sqlite(_) => "CREATE TABLE engine_probe (id TEXT PRIMARY KEY NOT NULL, body TEXT NOT NULL) WITHOUT ROWID",
        DbConn::Pg(_) => "CREATE TABLE engine_probe (id TEXT PRIMARY KEY NOT NULL, body TEXT NOT NULL)",
    };
    diesel::connection::SimpleConnection::batch_execute(&mut conn, create)
        .map_err(|e| e.to_string())?;
    let body = "h".repeat(44);
    let t = Instant::now();
    let mut inserts = 0u64;
    while t.elapsed().as_secs_f64() < secs {
        let id = uuid::Uuid::new_v4().to_string();
        db::write_transaction(&mut conn, |c| {
            use diesel::RunQueryDsl;
            diesel::sql_query(match c {
                DbConn::Sqlite(_) => "INSERT INTO engine_probe (id, body) VALUES (?, ?)",
                DbConn::Pg(_) => "INSERT INTO engine_probe (id, body) VALUES ($1, $2)",
            })
            .bind::<diesel::sql_types::Text, _>(&id)
            .bind::<diesel::sql_types::Text, _>(&body)
            .execute(c)
        })
        .map_err(|e| e.to_string())?;
        inserts += 1;
    }
    let rate = inserts as f64 / t.elapsed().as_secs_f64();
    let _ =
        diesel::connection::SimpleConnection::batch_execute(&mut conn, "DROP TABLE engine_probe");
    Ok(rate)
}

/// A second vote whose electors and ballots are written straight into the database in bulk,
/// then closed over HTTP: the time from the close request to the tally's arrival.
async fn scale_close(
    client: &Client,
    url: &str,
    council_id: &str,
    chair: &str,
    options: &BenchOptions,
) -> Result<f64, String> {
    let subjects: Vec<Value> = (1..=options.subjects)
        .map(|i| json!({"full_name": format!("Subject {i}"), "positions": ["P"]}))
        .collect();
    let vote = client
        .expect(
            reqwest::Method::POST,
            &format!("/councils/{council_id}/votes"),
            Some(chair),
            Some(&json!({"title": "Scale vote", "kind": "rating", "subjects": subjects})),
            201,
        )
        .await?;
    let vote_id = vote["id"].as_str().unwrap_or_default().to_owned();
    client
        .expect(
            reqwest::Method::POST,
            &format!("/votes/{vote_id}/open"),
            Some(chair),
            None,
            200,
        )
        .await?;
    let (url, vote, council, count, width) = (
        url.to_owned(),
        vote_id.clone(),
        council_id.to_owned(),
        options.scale,
        options.subjects,
    );
    tokio::task::spawn_blocking(move || bulk_ballots(&url, &vote, &council, count, width))
        .await
        .map_err(|e| e.to_string())??;
    client.close_and_tally(&vote_id, chair, chair, count).await
}

fn bulk_ballots(
    url: &str,
    vote_id: &str,
    council_id: &str,
    count: usize,
    width: usize,
) -> Result<(), String> {
    use diesel::RunQueryDsl;
    let mut conn = db::Manager::new(DatabaseUrl::parse(url))
        .connect()
        .map_err(|e| e.to_string())?;
    let mut rng = rand::rngs::StdRng::seed_from_u64(2023);
    let codes = ['h', 'h', 'h', 'm', 'm', 'l', '-'];
    let now = db::now();
    db::write_transaction(&mut conn, |c| {
        for i in 0..count {
            let member = tinnhiem::db::members::MemberRow::new(
                Some(council_id.to_owned()),
                format!("scale-{i}"),
                format!("Scale {i}"),
                "not a password hash".to_owned(),
                &[tinnhiem::domain::Role::Delegate],
            );
            let member = tinnhiem::db::members::MemberRow {
                created_at: now,
                ..member
            };
            tinnhiem::db::members::insert(c, &member)?;
            diesel::insert_into(tinnhiem::db::schema::electors::table)
                .values((
                    tinnhiem::db::schema::electors::vote_id.eq(vote_id),
                    tinnhiem::db::schema::electors::member_id.eq(&member.id),
                    tinnhiem::db::schema::electors::has_cast.eq(true),
                ))
                .execute(c)?;
            let marks: String = (0..width)
                .map(|_| codes[rng.gen_range(0..codes.len())])
                .collect();
            tinnhiem::db::ballots::insert_ballot(c, vote_id, &marks)?;
        }
        Ok::<(), diesel::result::Error>(())
    })
    .map_err(|e| e.to_string())
}

use diesel::ExpressionMethods;
