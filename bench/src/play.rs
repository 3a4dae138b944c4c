//! A whole vote played over HTTP against a real `tinnhiem serve` process on loopback, and the
//! database engine's own durable-insert rate measured in the same run.
//!
//! [`run`] goes through the phases in order, each a function below: start the server, set up
//! the council and its members, sign everyone in, open the votes, fetch the ballot, cast at the
//! concurrency asked (with a sign-in burst alongside if asked), close and tally, the optional
//! scale close, the server's peak memory, the engine's own rate, and the JSON line.

use futures_util::stream::{self, StreamExt};
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use std::path::Path;
use std::time::{Duration, Instant};

use crate::client::Client;
use crate::committee::{self, CommitteeFigures};
use crate::database::{self, Target};
use crate::server::{cpu_secs_of, Server, ADMIN_PASSWORD};

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
    /// A committee vote (`crate::committee`) instead of a server vote.
    pub committee: bool,
    /// Where to write the committee vote's signed record.
    pub record_out: Option<std::path::PathBuf>,
}

/// The password of every member of the bench council.
pub const PASSWORD: &str = "bench-delegate-password";

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

/// The figures of the JSON line.
struct Figures {
    ballots_per_s: f64,
    engine_inserts_per_s: f64,
    cast_p50_ms: f64,
    cast_p99_ms: f64,
    close_ms: f64,
    peak_rss_mb: f64,
    logins_per_s: f64,
    committee: Option<CommitteeFigures>,
}

async fn play(options: &BenchOptions, target: &Target, dir: &Path) -> Result<(), String> {
    let server = Server::start(&options.server_binary, &target.url, dir)?;
    let client = Client::new(&server.base, options.concurrency)?;
    let admin = wait_for_admin(&client).await?;
    let n = options.delegates.max(1);
    println!(
        "setting up: {n} delegates, {} subjects, {} in flight",
        options.subjects, options.concurrency
    );
    let council = Council::create(&client, &admin, n, options.committee).await?;
    let (tokens, logins_per_s) = sign_in(&client, &council.usernames, options.concurrency).await?;
    if options.committee {
        let figures = committee::play(&client, &server, &council.id, &tokens, options, dir).await?;
        let peak_rss_mb = server.peak_rss_mb().unwrap_or(0.0);
        println!("server peak RSS: {peak_rss_mb:.1} MiB");
        drop(server);
        let engine = engine_limit(target, dir, options, figures.ballots_per_s)?;
        report(&Figures {
            ballots_per_s: figures.ballots_per_s,
            engine_inserts_per_s: engine,
            cast_p50_ms: figures.cast_p50_ms,
            cast_p99_ms: figures.cast_p99_ms,
            close_ms: figures.close_ms,
            peak_rss_mb,
            logins_per_s,
            committee: Some(figures),
        });
        return Ok(());
    }
    let chair = tokens[0].clone();
    let auditor = client.login("auditor", PASSWORD).await?;
    let votes = open_votes(&client, &council.id, &chair, options).await?;
    fetch_ballots(&client, &tokens, &votes[0], options.concurrency).await?;
    let casts = cast(
        &client,
        &server,
        &tokens,
        &votes,
        &council.usernames,
        options,
    )
    .await?;
    let close_ms = close_and_tally(&client, &votes, &chair, &auditor, n, options.subjects).await?;
    if options.scale > 0 {
        let ms = scale_close(&client, &target.url, &council.id, &chair, options).await?;
        println!(
            "scale close:     {} bulk-generated ballots closed and tallied in {ms:.0} ms",
            options.scale
        );
    }
    let peak_rss_mb = server.peak_rss_mb().unwrap_or(0.0);
    println!("server peak RSS: {peak_rss_mb:.1} MiB");
    // The engine is measured alone, with the server gone.
    drop(server);
    let engine = engine_limit(target, dir, options, casts.ballots_per_s)?;
    report(&Figures {
        ballots_per_s: casts.ballots_per_s,
        engine_inserts_per_s: engine,
        cast_p50_ms: casts.p50_ms,
        cast_p99_ms: casts.p99_ms,
        close_ms,
        peak_rss_mb,
        logins_per_s,
        committee: None,
    });
    Ok(())
}

/// Signs the admin in once the server answers; the server has a minute to come up.
async fn wait_for_admin(client: &Client) -> Result<String, String> {
    let started = Instant::now();
    loop {
        match client.login("admin", ADMIN_PASSWORD).await {
            Ok(token) => return Ok(token),
            Err(_) if started.elapsed() < Duration::from_secs(60) => {
                tokio::time::sleep(Duration::from_millis(100)).await
            }
            Err(e) => return Err(format!("server did not come up: {e}")),
        }
    }
}

/// The bench council: `n` seats, a chair who is also a delegate, `d1`…`d{n-1}`, and an auditor.
struct Council {
    id: String,
    /// Every delegate, the chair first.
    usernames: Vec<String>,
}

impl Council {
    /// With `committee`, the counting committee's members too (auditors, not delegates).
    async fn create(
        client: &Client,
        admin: &str,
        n: usize,
        committee: bool,
    ) -> Result<Council, String> {
        let council = client
            .expect(
                reqwest::Method::POST,
                "/councils",
                Some(admin),
                Some(&json!({"name": "Bench council", "seats": n})),
                201,
            )
            .await?;
        let id = council["id"].as_str().unwrap_or_default().to_owned();
        let mut csv =
            String::from("username,full_name,roles,password\nchair,Chair,chair;delegate,")
                + PASSWORD
                + "\nauditor,Auditor,auditor,"
                + PASSWORD
                + "\n";
        for i in 1..n {
            csv.push_str(&format!("d{i},Delegate {i},delegate,{PASSWORD}\n"));
        }
        if committee {
            for (i, username) in committee::member_usernames().iter().enumerate() {
                csv.push_str(&format!(
                    "{username},Committee member {},auditor,{PASSWORD}\n",
                    i + 1
                ));
            }
        }
        client.import_members(admin, &id, csv).await?;
        let usernames = std::iter::once("chair".to_owned())
            .chain((1..n).map(|i| format!("d{i}")))
            .collect();
        Ok(Council { id, usernames })
    }
}

/// Signs every delegate in, `concurrency` at a time; their tokens in the order of `usernames`,
/// and the sign-ins per second.
async fn sign_in(
    client: &Client,
    usernames: &[String],
    concurrency: usize,
) -> Result<(Vec<String>, f64), String> {
    let t = Instant::now();
    let tokens: Vec<String> = stream::iter(usernames.iter().map(|u| client.login(u, PASSWORD)))
        .buffered(concurrency)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<_, _>>()?;
    let secs = t.elapsed().as_secs_f64();
    let n = usernames.len();
    let logins_per_s = n as f64 / secs;
    println!("sign-ins:        {n} in {secs:.2} s = {logins_per_s:.1}/s");
    Ok((tokens, logins_per_s))
}

/// An open vote and its subjects' ids, in ballot order.
struct OpenVote {
    id: String,
    subject_ids: Vec<String>,
}

/// Creates and opens the votes as the chair: one by default; several play councils voting at
/// the same moment.
async fn open_votes(
    client: &Client,
    council_id: &str,
    chair: &str,
    options: &BenchOptions,
) -> Result<Vec<OpenVote>, String> {
    let subjects: Vec<Value> = (1..=options.subjects)
        .map(|i| json!({"full_name": format!("Subject {i}"), "positions": [format!("Position {i}")]}))
        .collect();
    let mut votes = Vec::new();
    for v in 0..options.votes.max(1) {
        let vote = client
            .expect(
                reqwest::Method::POST,
                &format!("/councils/{council_id}/votes"),
                Some(chair),
                Some(&json!({"title": format!("Bench vote {v}"), "kind": "rating", "subjects": subjects})),
                201,
            )
            .await?;
        let id = vote["id"].as_str().unwrap_or_default().to_owned();
        let subject_ids = vote["subjects"]
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
                &format!("/votes/{id}/open"),
                Some(chair),
                None,
                200,
            )
            .await?;
        votes.push(OpenVote { id, subject_ids });
    }
    Ok(votes)
}

/// Every delegate fetches the ballot, as a tablet does before casting.
async fn fetch_ballots(
    client: &Client,
    tokens: &[String],
    vote: &OpenVote,
    concurrency: usize,
) -> Result<(), String> {
    let ballot_path = format!("/votes/{}/ballot", vote.id);
    let t = Instant::now();
    let fetched: Vec<Result<Value, String>> = stream::iter(
        tokens
            .iter()
            .map(|tok| client.expect(reqwest::Method::GET, &ballot_path, Some(tok), None, 200)),
    )
    .buffer_unordered(concurrency)
    .collect()
    .await;
    fetched.into_iter().collect::<Result<Vec<_>, _>>()?;
    println!(
        "ballot fetches:  {} in {:.2} s",
        tokens.len(),
        t.elapsed().as_secs_f64()
    );
    Ok(())
}

/// One cast to send: the ballot's path, the delegate's token, the body serialized beforehand.
pub struct Cast<'a> {
    pub path: String,
    pub token: &'a str,
    pub body: Vec<u8>,
}

/// Every delegate's cast in every vote, interleaved across the votes, with marks drawn from a
/// fixed seed: most rows high, some medium or low, a few left blank.
fn prepare_casts<'a>(tokens: &'a [String], votes: &[OpenVote]) -> Vec<Cast<'a>> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(96);
    let mut casts = Vec::with_capacity(tokens.len() * votes.len());
    for token in tokens {
        for vote in votes {
            let marks: serde_json::Map<String, Value> = vote
                .subject_ids
                .iter()
                .filter_map(|s| match rng.gen_range(0..10) {
                    0..=5 => Some((s.clone(), json!("high"))),
                    6..=7 => Some((s.clone(), json!("medium"))),
                    8 => Some((s.clone(), json!("low"))),
                    _ => None,
                })
                .collect();
            casts.push(Cast {
                path: format!("/votes/{}/ballot", vote.id),
                token,
                body: json!({"marks": marks}).to_string().into_bytes(),
            });
        }
    }
    casts
}

/// The cast phase's figures.
struct CastFigures {
    ballots_per_s: f64,
    p50_ms: f64,
    p99_ms: f64,
}

/// Casts every delegate's ballot in every vote, `concurrency` in flight, each timed from send
/// to answer, with the sign-in burst alongside if asked; reports rate, latency and CPU per cast.
async fn cast(
    client: &Client,
    server: &Server,
    tokens: &[String],
    votes: &[OpenVote],
    usernames: &[String],
    options: &BenchOptions,
) -> Result<CastFigures, String> {
    let casts = prepare_casts(tokens, votes);
    let total = casts.len();
    let cpu_before = (server.cpu_secs(), cpu_secs_of("/proc/self/stat"));
    let ((latencies, cast_time), (burst_ok, burst_time)) = tokio::join!(
        send_casts(client, &casts, options.concurrency),
        sign_in_burst(client, usernames, options)
    );
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
    Ok(CastFigures {
        ballots_per_s,
        p50_ms: p50,
        p99_ms: p99,
    })
}

/// Sends the casts, `concurrency` in flight; each one's milliseconds from send to answer, and
/// the time all of them took.
pub async fn send_casts(
    client: &Client,
    casts: &[Cast<'_>],
    concurrency: usize,
) -> (Vec<Result<f64, String>>, Duration) {
    let t = Instant::now();
    let latencies = stream::iter(casts.iter().map(|cast| async move {
        let t = Instant::now();
        client
            .post_prepared(&cast.path, cast.token, &cast.body, 201)
            .await?;
        Ok(t.elapsed().as_secs_f64() * 1000.0)
    }))
    .buffer_unordered(concurrency)
    .collect()
    .await;
    (latencies, t.elapsed())
}

/// `--login-burst` sign-ins, cycling through the delegates: how many succeeded, and the time.
async fn sign_in_burst(
    client: &Client,
    usernames: &[String],
    options: &BenchOptions,
) -> (usize, Duration) {
    let t = Instant::now();
    let done: Vec<Result<String, String>> = stream::iter(
        (0..options.login_burst).map(|i| client.login(&usernames[i % usernames.len()], PASSWORD)),
    )
    .buffer_unordered(options.concurrency)
    .collect()
    .await;
    (done.iter().filter(|r| r.is_ok()).count(), t.elapsed())
}

pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Closes each vote and fetches its tally as an auditor downloads it; the median of the times
/// from close request to tally.
async fn close_and_tally(
    client: &Client,
    votes: &[OpenVote],
    chair: &str,
    auditor: &str,
    ballots: usize,
    subjects: usize,
) -> Result<f64, String> {
    let mut closes = Vec::new();
    for vote in votes {
        closes.push(
            client
                .close_and_tally(&vote.id, chair, auditor, ballots)
                .await?,
        );
    }
    closes.sort_by(f64::total_cmp);
    let close_ms = closes[closes.len() / 2];
    println!(
        "close → tally:   {close_ms:.1} ms ({ballots} ballots × {subjects} subjects{})",
        if closes.len() > 1 {
            format!("; median of {} votes", closes.len())
        } else {
            String::new()
        }
    );
    Ok(close_ms)
}

/// A second vote whose electors (delegates written straight into the database before it
/// opens) and ballots are written in bulk, then closed over HTTP: the time from the close
/// request to the tally's arrival.
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
    let (bulk_url, council, count) = (url.to_owned(), council_id.to_owned(), options.scale);
    let members =
        tokio::task::spawn_blocking(move || database::bulk_delegates(&bulk_url, &council, count))
            .await
            .map_err(|e| e.to_string())??;
    client
        .expect(
            reqwest::Method::POST,
            &format!("/votes/{vote_id}/open"),
            Some(chair),
            None,
            200,
        )
        .await?;
    let (url, vote, width) = (url.to_owned(), vote_id.clone(), options.subjects);
    tokio::task::spawn_blocking(move || database::bulk_ballots(&url, &vote, &members, width))
        .await
        .map_err(|e| e.to_string())??;
    client.close_and_tally(&vote_id, chair, chair, count).await
}

/// The engine's one-row durable inserts per second, reported beside the ballot rate.
fn engine_limit(
    target: &Target,
    dir: &Path,
    options: &BenchOptions,
    ballots_per_s: f64,
) -> Result<f64, String> {
    let engine = database::engine_inserts_per_s(&target.url, dir, options.engine_secs)?;
    let ratio = ballots_per_s / engine;
    println!(
        "engine limit:    {engine:.1} one-row durable inserts/s; ballots/s ÷ that = {ratio:.2}"
    );
    Ok(engine)
}

/// The report's last line: every figure, rounded to two decimals, as one JSON object.
fn report(figures: &Figures) {
    let mut line = json!({
            "ballots_per_s": round2(figures.ballots_per_s),
            "engine_inserts_per_s": round2(figures.engine_inserts_per_s),
            "ratio": round2(figures.ballots_per_s / figures.engine_inserts_per_s),
            "cast_p50_ms": round2(figures.cast_p50_ms),
            "cast_p99_ms": round2(figures.cast_p99_ms),
            "close_ms": round2(figures.close_ms),
            "peak_rss_mb": round2(figures.peak_rss_mb),
            "logins_per_s": round2(figures.logins_per_s),
    });
    if let Some(c) = &figures.committee {
        line["secrecy"] = json!("committee");
        line["verify_ms_per_ballot"] = json!(round2(c.verify_ms_per_ballot));
        line["encrypt_ms_per_ballot"] = json!(round2(c.encrypt_ms_per_ballot));
        line["tally_ms"] = json!(round2(c.tally_ms));
        line["record_mb"] = json!(round2(c.record_mb));
    }
    println!("{line}");
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
