//! `--secrecy committee`: a whole committee vote over HTTP. A counting committee of 5 (t = 3)
//! makes its key with the members' own tool; the delegates fetch their ballots, which are
//! encrypted (as tablets do while delegates mark, before the timed phase); the casts are timed
//! with the server's CPU per cast (every proof verified); the chair closes; 3 members each
//! check every ballot and send their partial decryption; the tally and the signed record are
//! fetched.

use futures_util::stream::{self, StreamExt};
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tinnhiem::committee_tool::{self, Outcome, Session};

use crate::client::Client;
use crate::play::{percentile, send_casts, BenchOptions, Cast, PASSWORD};
use crate::server::Server;

/// The committee's size and threshold.
const MEMBERS: usize = 5;
const THRESHOLD: usize = 3;
/// The passphrase of each member's share file.
const PASSPHRASE: &str = "bench committee share passphrase";

/// The figures a committee vote adds to the JSON line.
pub struct CommitteeFigures {
    pub ballots_per_s: f64,
    pub cast_p50_ms: f64,
    pub cast_p99_ms: f64,
    /// The server's CPU per cast, every proof verified (the whole request's, not only the
    /// proofs').
    pub verify_ms_per_ballot: f64,
    /// The Rust client's time to encrypt one ballot with all its proofs.
    pub encrypt_ms_per_ballot: f64,
    /// From the close request to the published tally, the committee's checks and decryption
    /// included.
    pub tally_ms: f64,
    pub close_ms: f64,
    pub record_mb: f64,
}

/// The usernames of the committee's members.
pub fn member_usernames() -> Vec<String> {
    (1..=MEMBERS).map(|i| format!("k{i}")).collect()
}

/// Plays the committee vote with the delegates signed in (`tokens`, the chair first).
pub async fn play(
    client: &Client,
    server: &Server,
    council_id: &str,
    tokens: &[String],
    options: &BenchOptions,
    dir: &Path,
) -> Result<CommitteeFigures, String> {
    let chair = &tokens[0];
    let members = client
        .expect(
            reqwest::Method::GET,
            &format!("/councils/{council_id}/members"),
            Some(chair),
            None,
            200,
        )
        .await?;
    let ids: Vec<String> = member_usernames()
        .iter()
        .map(|u| {
            members
                .as_array()
                .and_then(|all| all.iter().find(|m| m["username"] == json!(u)))
                .and_then(|m| m["id"].as_str().map(str::to_owned))
                .ok_or_else(|| format!("committee member {u} is not in the council"))
        })
        .collect::<Result<_, _>>()?;
    let subjects: Vec<Value> = (1..=options.subjects)
        .map(|i| json!({"full_name": format!("Subject {i}"), "positions": [format!("Position {i}")]}))
        .collect();
    let vote = client
        .expect(
            reqwest::Method::POST,
            &format!("/councils/{council_id}/votes"),
            Some(chair),
            Some(&json!({
                "title": "Bench committee vote",
                "kind": "rating",
                "secrecy": "committee",
                "committee": {"members": ids, "threshold": THRESHOLD},
                "subjects": subjects,
            })),
            201,
        )
        .await?;
    let vote_id = vote["id"].as_str().unwrap_or_default().to_owned();
    let committee_id = vote["committee"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();

    let t = Instant::now();
    ceremony(&server.base, &committee_id, dir).await?;
    println!(
        "key ceremony:    {MEMBERS} members, t = {THRESHOLD}, {:.2} s",
        t.elapsed().as_secs_f64()
    );
    client
        .expect(
            reqwest::Method::POST,
            &format!("/votes/{vote_id}/open"),
            Some(chair),
            None,
            200,
        )
        .await?;

    let ballot_path = format!("/votes/{vote_id}/ballot");
    let ballots: Vec<Value> = stream::iter(
        tokens
            .iter()
            .map(|tok| client.expect(reqwest::Method::GET, &ballot_path, Some(tok), None, 200)),
    )
    .buffered(options.concurrency)
    .collect::<Vec<_>>()
    .await
    .into_iter()
    .collect::<Result<_, _>>()?;
    let (bodies, encrypt_ms) = encrypt_all(&ballots)?;
    println!(
        "encryption:      {} ballots, {encrypt_ms:.1} ms each (Rust client, one core each)",
        bodies.len()
    );
    let casts: Vec<Cast> = tokens
        .iter()
        .zip(bodies)
        .map(|(token, body)| Cast {
            path: ballot_path.clone(),
            token,
            body,
        })
        .collect();
    let cpu_before = server.cpu_secs();
    let (latencies, cast_time) = send_casts(client, &casts, options.concurrency).await;
    let cpu_after = server.cpu_secs();
    let mut latencies = latencies
        .into_iter()
        .collect::<Result<Vec<f64>, String>>()?;
    latencies.sort_by(f64::total_cmp);
    let total = casts.len();
    let ballots_per_s = total as f64 / cast_time.as_secs_f64();
    let verify_ms = match (cpu_before, cpu_after) {
        (Some(a), Some(b)) => (b - a) * 1000.0 / total as f64,
        _ => 0.0,
    };
    let (p50, p99) = (percentile(&latencies, 50.0), percentile(&latencies, 99.0));
    println!(
        "casts:           {total} encrypted in {:.2} s = {ballots_per_s:.1}/s; p50 {p50:.1} ms, \
         p99 {p99:.1} ms; server CPU {verify_ms:.2} ms per cast",
        cast_time.as_secs_f64()
    );

    let t = Instant::now();
    client
        .expect(
            reqwest::Method::POST,
            &format!("/votes/{vote_id}/close"),
            Some(chair),
            None,
            200,
        )
        .await?;
    let close_ms = t.elapsed().as_secs_f64() * 1000.0;
    let each = decrypt(&server.base, &vote_id, dir).await?;
    let tally = client
        .expect(
            reqwest::Method::GET,
            &format!("/votes/{vote_id}/tally"),
            Some(chair),
            None,
            200,
        )
        .await?;
    let tally_ms = t.elapsed().as_secs_f64() * 1000.0;
    if tally["ballots_cast"].as_u64() != Some(total as u64) {
        return Err(format!(
            "the tally counts {} ballots, {total} were cast",
            tally["ballots_cast"]
        ));
    }
    let each: Vec<String> = each.iter().map(|s| format!("{s:.2} s")).collect();
    println!(
        "close → tally:   {tally_ms:.0} ms (close {close_ms:.0} ms; each member's check and \
         decryption, at once: {})",
        each.join(", ")
    );

    let auditor = client.login(&member_usernames()[0], PASSWORD).await?;
    let record = client
        .get_bytes(&format!("/votes/{vote_id}/record"), &auditor)
        .await?;
    let record_mb = record.len() as f64 / 1e6;
    let t = Instant::now();
    let verdict = tinnhiem::record::verify(&record, None);
    if !verdict.valid() {
        return Err(format!("the record does not verify:\n{}", verdict.report()));
    }
    println!(
        "record:          {record_mb:.2} MB; tinnhiem verify checks it in {:.2} s",
        t.elapsed().as_secs_f64()
    );
    if let Some(out) = &options.record_out {
        std::fs::write(out, &record).map_err(|e| format!("{}: {e}", out.display()))?;
        println!("record written:  {}", out.display());
    }
    Ok(CommitteeFigures {
        ballots_per_s,
        cast_p50_ms: p50,
        cast_p99_ms: p99,
        verify_ms_per_ballot: verify_ms,
        encrypt_ms_per_ballot: encrypt_ms,
        tally_ms,
        close_ms,
        record_mb,
    })
}

fn share_file(dir: &Path, i: usize) -> PathBuf {
    dir.join(format!("share-k{}.json", i + 1))
}

/// Every member runs their part of the ceremony at once, as on their own devices.
async fn ceremony(base: &str, committee_id: &str, dir: &Path) -> Result<(), String> {
    let runs = member_usernames().into_iter().enumerate().map(|(i, user)| {
        let (base, committee, file) =
            (base.to_owned(), committee_id.to_owned(), share_file(dir, i));
        tokio::task::spawn_blocking(move || {
            let session = Session::sign_in(&base, &user, PASSWORD).map_err(|e| e.to_string())?;
            committee_tool::ceremony(
                &session,
                &committee,
                &file,
                PASSPHRASE,
                Duration::from_millis(20),
                |_| {},
            )
            .map_err(|e| format!("{user}: {e}"))
        })
    });
    for outcome in futures_util::future::join_all(runs).await {
        match outcome.map_err(|e| e.to_string())?? {
            Outcome::Ready { .. } => {}
            Outcome::Failed { why } => return Err(format!("the ceremony failed: {why}")),
        }
    }
    Ok(())
}

/// Cast bodies made by one thread, and the seconds their encryption took.
type Encrypted = Result<(Vec<Vec<u8>>, f64), String>;

/// Encrypts every delegate's ballot, marks drawn from a fixed seed, on every core; the cast
/// bodies and the milliseconds one ballot took.
fn encrypt_all(ballots: &[Value]) -> Encrypted {
    let mut rng = rand::rngs::StdRng::seed_from_u64(96);
    let marks: Vec<BTreeMap<String, String>> = ballots
        .iter()
        .map(|b| {
            b["subjects"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|s| {
                    let id = s["id"].as_str()?.to_owned();
                    match rng.gen_range(0..10) {
                        0..=5 => Some((id, "high".to_owned())),
                        6..=7 => Some((id, "medium".to_owned())),
                        8 => Some((id, "low".to_owned())),
                        _ => None,
                    }
                })
                .collect()
        })
        .collect();
    let work: Vec<(&Value, &BTreeMap<String, String>)> = ballots.iter().zip(&marks).collect();
    let parts = tinnhiem::parallel::on_every_core(&work, |part| -> Encrypted {
        let mut bodies = Vec::with_capacity(part.len());
        let mut secs = 0.0;
        for (ballot, marks) in part {
            let t = Instant::now();
            let sealed = tinnhiem::voter_tool::encrypt(ballot, marks)?;
            secs += t.elapsed().as_secs_f64();
            bodies.push(json!({"encrypted": sealed.cast}).to_string().into_bytes());
        }
        Ok((bodies, secs))
    });
    let mut bodies = Vec::with_capacity(ballots.len());
    let mut secs = 0.0;
    for part in parts {
        let (b, s) = part.unwrap_or_else(|| Err("an encryption thread stopped".into()))?;
        bodies.extend(b);
        secs += s;
    }
    Ok((bodies, secs * 1000.0 / ballots.len().max(1) as f64))
}

/// Members 1 to t check every ballot and decrypt, at once; each one's seconds.
async fn decrypt(base: &str, vote_id: &str, dir: &Path) -> Result<Vec<f64>, String> {
    let runs = member_usernames()
        .into_iter()
        .take(THRESHOLD)
        .enumerate()
        .map(|(i, user)| {
            let (base, vote, file) = (base.to_owned(), vote_id.to_owned(), share_file(dir, i));
            tokio::task::spawn_blocking(move || {
                let t = Instant::now();
                let session =
                    Session::sign_in(&base, &user, PASSWORD).map_err(|e| e.to_string())?;
                committee_tool::decrypt(&session, &vote, &file, PASSPHRASE, |_| {})
                    .map_err(|e| format!("{user}: {e}"))?;
                Ok::<f64, String>(t.elapsed().as_secs_f64())
            })
        });
    let mut secs = Vec::new();
    for run in futures_util::future::join_all(runs).await {
        secs.push(run.map_err(|e| e.to_string())??);
    }
    Ok(secs)
}
