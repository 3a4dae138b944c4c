//! The auditor's record over real HTTP with real crypto: signed at close, served only when
//! closed and only to auditors, chairs and admins, the same bytes every time, checked by
//! `tinnhiem verify`, and refused when anything behind it was changed.

use crate::common::*;
use base64::Engine;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;
use ed25519_dalek::Verifier;
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::Digest;
use std::process::Command;
use tinnhiem::record::{canonical, key::RecordKey, model::envelope_bytes};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// A download: status, content type, and the body bytes.
pub(crate) struct Download {
    pub status: StatusCode,
    pub content_type: String,
    pub headers: reqwest::header::HeaderMap,
    pub body: Vec<u8>,
}

impl Download {
    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("UTF-8 body")
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }

    /// Asserts a problem+json answer with this status and slug; returns its detail.
    pub fn problem(&self, status: u16, slug: &str) -> String {
        assert_eq!(
            self.content_type,
            "application/problem+json",
            "{}",
            self.text()
        );
        let body = assert_problem((self.status, self.json()), status, slug);
        body["detail"].as_str().unwrap().to_owned()
    }
}

pub(crate) async fn download(
    app: &TestApp,
    vote_id: &str,
    token: Option<&str>,
    query: &str,
) -> Download {
    let mut req = app
        .client
        .get(app.url(&format!("/votes/{vote_id}/record{query}")));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.expect("request sent");
    let status = resp.status();
    let headers = resp.headers().clone();
    let content_type = headers
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = resp.bytes().await.expect("body").to_vec();
    Download {
        status,
        content_type,
        headers,
        body,
    }
}

/// Casts `ballots[i]` (one choice name or None per subject) as delegate i, then closes.
pub(crate) async fn cast_and_close(
    app: &TestApp,
    council: &Council,
    vote: &Value,
    ballots: &[Vec<Option<&str>>],
) {
    let id = vote["id"].as_str().unwrap();
    let subjects = subject_ids(vote);
    let (status, body) = app
        .post_empty(&format!("/votes/{id}/open"), &council.chair)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for (d, marks) in ballots.iter().enumerate() {
        let marks: serde_json::Map<String, Value> = subjects
            .iter()
            .zip(marks)
            .filter_map(|(s, m)| m.map(|c| (s.clone(), json!(c))))
            .collect();
        let (status, body) = app
            .post(
                &format!("/votes/{id}/ballot"),
                &council.delegates[d],
                json!({"marks": marks}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (status, body) = app
        .post_empty(&format!("/votes/{id}/close"), &council.chair)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

pub(crate) fn rating_ballots() -> Vec<Vec<Option<&'static str>>> {
    vec![
        vec![Some("high"), Some("low"), Some("low")],
        vec![Some("high"), Some("low"), None],
        vec![Some("medium"), Some("high"), Some("low")],
    ]
}

/// Runs the built `tinnhiem verify`; returns the exit code and everything it printed.
pub(crate) fn run_verify(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tinnhiem"))
        .arg("verify")
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run tinnhiem verify");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().expect("exit code"), text)
}

pub(crate) fn write(dir: &std::path::Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.to_string_lossy().into_owned()
}

pub(crate) async fn public_key(app: &TestApp) -> String {
    let (status, body) = app
        .call(reqwest::Method::GET, "/public-key", None, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["algorithm"], "ed25519");
    let key = body["public_key"].as_str().unwrap().to_owned();
    assert_eq!(B64.decode(&key).unwrap().len(), 32);
    key
}

#[tokio::test]
async fn the_record_is_signed_at_close_and_served_only_then_to_auditors_chairs_and_admins() {
    let app = TestApp::spawn().await;
    let council = app.council(20, 4).await;
    let vote = app.vote(&council, "rating", 3, None).await;
    let id = vote["id"].as_str().unwrap().to_owned();

    download(&app, &id, Some(&council.auditor), "")
        .await
        .problem(409, "tally-not-published");
    let (status, _) = app
        .post_empty(&format!("/votes/{id}/open"), &council.chair)
        .await;
    assert_eq!(status, StatusCode::OK);
    let detail = download(&app, &id, Some(&council.admin), "?format=html")
        .await
        .problem(409, "tally-not-published");
    assert!(detail.contains("open"), "{detail}");
    // Cast three of four ballots, then close.
    let subjects = subject_ids(&vote);
    for (d, marks) in rating_ballots().iter().enumerate() {
        let marks: serde_json::Map<String, Value> = subjects
            .iter()
            .zip(marks)
            .filter_map(|(s, m)| m.map(|c| (s.clone(), json!(c))))
            .collect();
        let (status, _) = app
            .post(
                &format!("/votes/{id}/ballot"),
                &council.delegates[d],
                json!({"marks": marks}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let (status, _) = app
        .post_empty(&format!("/votes/{id}/close"), &council.chair)
        .await;
    assert_eq!(status, StatusCode::OK);

    // Who may download it.
    let first = download(&app, &id, Some(&council.auditor), "").await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.text());
    assert_eq!(first.content_type, "application/json");
    for token in [&council.auditor, &council.chair, &council.admin] {
        for query in ["", "?format=json"] {
            let again = download(&app, &id, Some(token), query).await;
            assert_eq!(again.status, StatusCode::OK);
            assert_eq!(again.body, first.body, "the same bytes on every download");
        }
    }
    for query in ["", "?format=xml"] {
        download(&app, &id, Some(&council.delegates[1]), query)
            .await
            .problem(403, "forbidden");
    }
    download(&app, &id, None, "")
        .await
        .problem(401, "unauthenticated");
    let other = app.council(5, 1).await;
    download(&app, &id, Some(&other.chair), "")
        .await
        .problem(404, "not-found");
    download(&app, &id, Some(&other.auditor), "")
        .await
        .problem(404, "not-found");
    let detail = download(&app, &id, Some(&council.auditor), "?format=xml")
        .await
        .problem(422, "validation-failed");
    assert!(
        detail.contains("csv") && detail.contains("html"),
        "{detail}"
    );
    download(&app, &id, Some(&council.auditor), "?format=html&lang=fr")
        .await
        .problem(422, "validation-failed");
    download(&app, &id, Some(&council.auditor), "?fromat=csv")
        .await
        .problem(400, "malformed-request");

    // What it holds.
    let key = public_key(&app).await;
    let envelope = first.json();
    assert_eq!(envelope["algorithm"], "ed25519");
    assert_eq!(envelope["public_key"], key);
    let record = &envelope["record"];
    assert_eq!(record["format"], "tinnhiem-record/2");
    // No list of ballots, in any order: only each subject's counts, in the tally.
    let mut members: Vec<&str> = record
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    members.sort_unstable();
    assert_eq!(
        members,
        [
            "council",
            "electors",
            "events",
            "format",
            "signing_key",
            "tally",
            "vote"
        ]
    );
    assert_eq!(record["vote"]["secrecy"], "server");
    assert_eq!(record["signing_key"]["public_key"], key);
    let (_, tally) = app
        .get(&format!("/votes/{id}/tally"), &council.auditor)
        .await;
    assert_eq!(
        record["tally"], tally,
        "the tally exactly as GET /tally shows it"
    );
    assert_eq!(record["council"]["seats"], 20);
    assert_eq!(record["council"]["name"], "HĐND tỉnh Thử nghiệm");
    assert_eq!(record["vote"]["opened_at"], tally["opened_at"]);
    assert_eq!(record["vote"]["closed_at"], tally["closed_at"]);
    assert_eq!(
        record["tally"]["results"][2]["counts"],
        json!({"high": 0, "medium": 0, "low": 2, "blank": 1})
    );
    let names = |list: &Value| -> Vec<String> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|p| p["full_name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        names(&record["electors"]["cast"]),
        ["Chủ tọa", "Đại biểu 1", "Đại biểu 2"]
    );
    assert_eq!(names(&record["electors"]["not_cast"]), ["Đại biểu 3"]);
    let events = record["events"].as_array().unwrap();
    let kinds: Vec<&str> = events
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["created", "opened", "closed"]);
    for e in events {
        assert_eq!(e["actor"]["username"], council.usernames[0].as_str());
    }
    assert_eq!(events[0]["counts"], json!({"subjects": 3}));
    assert_eq!(events[1]["counts"], json!({"eligible": 4}));
    assert_eq!(events[2]["counts"], json!({"ballots_cast": 3}));
    assert_eq!(events[2]["at"], tally["closed_at"]);

    // The signature, checked here with the Ed25519 and SHA-256 libraries directly.
    let canonical = canonical::to_canonical(record).unwrap();
    assert_eq!(
        envelope["digest"].as_str().unwrap(),
        format!("{:x}", sha2::Sha256::digest(canonical.as_bytes()))
    );
    let key_bytes: [u8; 32] = B64.decode(&key).unwrap().try_into().unwrap();
    let verifying = ed25519_dalek::VerifyingKey::from_bytes(&key_bytes).unwrap();
    let sig_bytes = B64.decode(envelope["signature"].as_str().unwrap()).unwrap();
    let signature = ed25519_dalek::Signature::from_slice(&sig_bytes).unwrap();
    verifying
        .verify(canonical.as_bytes(), &signature)
        .expect("signature over the canonical record");
    // The signed bytes are in the download verbatim, and the download is itself canonical.
    assert!(first.text().contains(&format!("\"record\":{canonical},")));
    assert_eq!(canonical::to_canonical(&envelope).unwrap(), first.text());
}

#[tokio::test]
async fn verify_passes_on_a_fresh_download_and_names_what_an_edit_changed() {
    let app = TestApp::spawn().await;
    let council = app.council(20, 4).await;
    let vote = app.vote(&council, "rating", 3, None).await;
    cast_and_close(&app, &council, &vote, &rating_ballots()).await;
    let id = vote["id"].as_str().unwrap();
    let fresh = download(&app, id, Some(&council.auditor), "").await;
    assert_eq!(fresh.status, StatusCode::OK);
    let key = public_key(&app).await;
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "record.json", &fresh.body);

    let (code, out) = run_verify(&[&file, "--public-key", &key]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("VALID"), "{out}");
    assert!(out.contains("[ok  ] signature"), "{out}");
    assert!(out.contains("[ok  ] format: tinnhiem-record/2"), "{out}");
    assert!(out.contains("[ok  ] subject 3"), "{out}");
    assert!(out.contains("[ok  ] event chain"), "{out}");
    assert!(!out.contains("FAIL") && !out.contains("NOTE"), "{out}");
    assert!(!out.contains("ballot order"), "no ballots to order: {out}");
    // The key as a file holding GET /public-key's answer.
    let key_file = write(
        dir.path(),
        "key.json",
        json!({"algorithm": "ed25519", "public_key": key})
            .to_string()
            .as_bytes(),
    );
    assert_eq!(run_verify(&[&file, "--public-key", &key_file]).0, 0);
    // Without a key: valid, but said to prove integrity only.
    let (code, out) = run_verify(&[&file]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("NOTE") && out.contains("not who signed it"),
        "{out}"
    );

    let original = fresh.json();
    let check_edit = |name: &str, edited: &Value, expect: &[&str]| {
        let path = write(
            dir.path(),
            name,
            serde_json::to_string_pretty(edited).unwrap().as_bytes(),
        );
        let (code, out) = run_verify(&[&path, "--public-key", &key]);
        assert_eq!(code, 1, "{name}: {out}");
        assert!(out.contains("INVALID"), "{name}: {out}");
        for what in expect {
            assert!(
                out.contains(&format!("[FAIL] {what}")),
                "{name} should name {what}: {out}"
            );
        }
        out
    };

    // Re-indenting changes no byte that is signed.
    let pretty = write(
        dir.path(),
        "pretty.json",
        serde_json::to_string_pretty(&original).unwrap().as_bytes(),
    );
    assert_eq!(run_verify(&[&pretty, "--public-key", &key]).0, 0);

    // A vote moved from low to blank, the counts still adding up: the signature fails and the
    // percentages no longer follow from the counts.
    let mut edited = original.clone();
    edited["record"]["tally"]["results"][1]["counts"]["low"] = json!(1);
    edited["record"]["tally"]["results"][1]["counts"]["blank"] = json!(1);
    let out = check_edit("moved.json", &edited, &["digest", "signature", "subject 2"]);
    assert!(out.contains("percentages"), "{out}");
    // One count raised: the choices add up to more than the ballots cast.
    let mut edited = original.clone();
    edited["record"]["tally"]["results"][0]["counts"]["high"] = json!(3);
    let out = check_edit("tally.json", &edited, &["signature", "subject 1"]);
    assert!(out.contains("more than the 3 ballots cast"), "{out}");
    // A blank that is not the ballots left over.
    let mut edited = original.clone();
    edited["record"]["tally"]["results"][2]["counts"]["blank"] = json!(0);
    let out = check_edit("blank.json", &edited, &["signature", "subject 3"]);
    assert!(out.contains("blank is 0"), "{out}");
    // One event changed.
    let mut edited = original.clone();
    edited["record"]["events"][1]["actor"]["full_name"] = json!("Người Khác");
    let out = check_edit("event.json", &edited, &["signature", "event chain"]);
    assert!(out.contains("event 2"), "{out}");
    // A delegate moved from "cast" to "not cast", the tally left as it was.
    let mut edited = original.clone();
    let moved = edited["record"]["electors"]["cast"]
        .as_array_mut()
        .unwrap()
        .pop()
        .unwrap();
    edited["record"]["electors"]["not_cast"]
        .as_array_mut()
        .unwrap()
        .push(moved);
    check_edit("fewer.json", &edited, &["signature", "turnout"]);
    // A list of ballots put back into a version 2 record.
    let mut edited = original.clone();
    edited["record"]["ballots"] = json!(["hl-", "hll", "mhl"]);
    check_edit("ballots.json", &edited, &["signature", "format"]);

    // A forger without the key re-signs an edited record with a key of their own. The recount
    // still catches an inconsistent edit, and the installation's key catches the forgery.
    let forger = RecordKey::from_seed(&[9u8; 32]);
    let resign = |record: &Value| -> Vec<u8> {
        let mut record = record.clone();
        record["signing_key"]["public_key"] = json!(forger.public_key());
        let body = canonical::to_canonical(&record).unwrap();
        let digest = format!("{:x}", sha2::Sha256::digest(body.as_bytes()));
        envelope_bytes(
            &body,
            &digest,
            &forger.public_key(),
            &forger.sign(body.as_bytes()),
        )
        .into_bytes()
    };
    let mut record = original["record"].clone();
    record["tally"]["results"][2]["outcome"] = json!("none");
    let forged = write(dir.path(), "forged-tally.json", &resign(&record));
    let (code, out) = run_verify(&[&forged]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("[ok  ] signature"), "{out}");
    assert!(
        out.contains("[FAIL] subject 3") && out.contains("outcome"),
        "{out}"
    );
    let forged = write(dir.path(), "forged.json", &resign(&original["record"]));
    assert_eq!(
        run_verify(&[&forged]).0,
        0,
        "self-consistent, but only by its own key"
    );
    let (code, out) = run_verify(&[&forged, "--public-key", &key]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("[FAIL] public key") && out.contains("[FAIL] signature"),
        "{out}"
    );

    // Not a record at all, an unreadable file, a bad key.
    let junk = write(dir.path(), "junk.json", b"{\"record\": 1, \"record\": 2}");
    let (code, out) = run_verify(&[&junk]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("[FAIL] file"), "{out}");
    let missing = dir.path().join("missing.json");
    assert_eq!(run_verify(&[missing.to_str().unwrap()]).0, 2);
    assert_eq!(run_verify(&[&file, "--public-key", "not-a-key"]).0, 2);
}

fn sql_text(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

#[derive(QueryableByName)]
struct One {
    #[diesel(sql_type = Text)]
    value: String,
}

fn query_one(conn: &mut tinnhiem::db::DbConn, sql: &str) -> String {
    diesel::sql_query(sql)
        .get_result::<One>(conn)
        .expect(sql)
        .value
}

#[tokio::test]
async fn a_change_in_the_database_after_close_is_refused_not_served() {
    let app = TestApp::spawn().await;
    let council = app.council(20, 4).await;
    let mut ids = Vec::new();
    for _ in 0..5 {
        let vote = app.vote(&council, "rating", 3, None).await;
        cast_and_close(&app, &council, &vote, &rating_ballots()).await;
        let id = vote["id"].as_str().unwrap().to_owned();
        let ok = download(&app, &id, Some(&council.auditor), "").await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
        ids.push(id);
    }
    let mut conn = app.db.connect();
    let [count_vote, tally_vote, event_vote, record_vote, untouched] = ids.as_slice() else {
        unreachable!()
    };

    // One stored count: the third subject's blank becomes a low, as if a ballot were changed.
    let subject = query_one(
        &mut conn,
        &format!(
            "SELECT id AS value FROM subjects WHERE vote_id = {} AND ordinal = 3",
            sql_text(count_vote)
        ),
    );
    conn.batch_execute(&format!(
        "UPDATE subject_counts SET total = total + 1 WHERE vote_id = {0} AND subject_id = {1} \
         AND choice = 'low'; UPDATE subject_counts SET total = total - 1 WHERE vote_id = {0} \
         AND subject_id = {1} AND choice = 'blank'",
        sql_text(count_vote),
        sql_text(&subject)
    ))
    .unwrap();
    // One tally number.
    let tally = query_one(
        &mut conn,
        &format!(
            "SELECT body AS value FROM tallies WHERE vote_id = {}",
            sql_text(tally_vote)
        ),
    );
    let mut changed: Value = serde_json::from_str(&tally).unwrap();
    changed["results"][1]["counts"]["low"] = json!(1);
    conn.batch_execute(&format!(
        "UPDATE tallies SET body = {} WHERE vote_id = {}",
        sql_text(&changed.to_string()),
        sql_text(tally_vote)
    ))
    .unwrap();
    // One event.
    conn.batch_execute(&format!(
        "UPDATE vote_events SET actor_full_name = 'Người Khác' WHERE vote_id = {} AND seq = 2",
        sql_text(event_vote)
    ))
    .unwrap();
    // The signed record itself: a blank made a low, consistently.
    let body = query_one(
        &mut conn,
        &format!(
            "SELECT body AS value FROM records WHERE vote_id = {}",
            sql_text(record_vote)
        ),
    );
    let edited =
        body.replacen("\"blank\":1", "\"blank\":0", 1)
            .replacen("\"low\":2", "\"low\":3", 1);
    assert_ne!(edited, body);
    conn.batch_execute(&format!(
        "UPDATE records SET body = {} WHERE vote_id = {}",
        sql_text(&edited),
        sql_text(record_vote)
    ))
    .unwrap();

    let cases = [
        (count_vote, "the counts stored now (subject 3)"),
        (tally_vote, "the tally stored now (subject 2)"),
        (event_vote, "the event log stored now (event 2, opened)"),
        (record_vote, "\"signature\""),
    ];
    for (vote_id, names) in cases {
        for query in ["", "?format=csv", "?format=html"] {
            let refused = download(&app, vote_id, Some(&council.auditor), query).await;
            let detail = refused.problem(500, "record-integrity");
            assert!(detail.contains(names), "{names}: {detail}");
            for marks in ["hll", "hl-", "mhl"] {
                assert!(!detail.contains(marks), "ballot content in {detail}");
            }
        }
        // The tally is checked against the record too, for every member who may read it.
        for token in [&council.auditor, &council.delegates[1], &council.admin] {
            let refused = app.get(&format!("/votes/{vote_id}/tally"), token).await;
            let body = assert_problem(refused, 500, "record-integrity");
            let detail = body["detail"].as_str().unwrap();
            assert!(detail.contains(names), "tally, {names}: {detail}");
        }
    }
    let ok = download(&app, untouched, Some(&council.auditor), "").await;
    assert_eq!(
        ok.status,
        StatusCode::OK,
        "an untouched vote is still served"
    );
    let (status, tally) = app
        .get(&format!("/votes/{untouched}/tally"), &council.delegates[1])
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(tally, ok.json()["record"]["tally"]);
}

#[tokio::test]
async fn csv_and_html_present_the_signed_record() {
    let app = TestApp::spawn().await;
    let council = app.council(20, 4).await;
    let body = json!({
        "title": "Lấy phiếu tín nhiệm <b>kỳ họp</b> thứ 9",
        "kind": "rating",
        "subjects": [
            {"full_name": "<script>alert(\"x\")</script>", "positions": ["Chủ tịch HĐND, tỉnh"]},
            {"full_name": "=HYPERLINK(\"http://x\")", "positions": ["Phó Chủ tịch UBND", "Ủy viên UBND"]},
            {"full_name": "Lê Duy Thành", "positions": ["Giám đốc Sở"]}
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
    cast_and_close(&app, &council, &vote, &rating_ballots()).await;
    let id = vote["id"].as_str().unwrap();
    let envelope = download(&app, id, Some(&council.auditor), "").await.json();

    let csv = download(&app, id, Some(&council.chair), "?format=csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.content_type, "text/csv; charset=utf-8");
    let again = download(&app, id, Some(&council.chair), "?format=csv").await;
    assert_eq!(again.body, csv.body);
    let text = csv.text();
    assert!(
        text.ends_with("\r\n") && !text.contains("\r\n\r\n"),
        "{text}"
    );
    // One row per subject, and nothing after: no ballot rows.
    let rows: Vec<&str> = text.trim_end().split("\r\n").collect();
    assert_eq!(rows.len(), 4, "{text}");
    assert_eq!(
        rows[0],
        "order,full_name,positions,high,medium,low,blank,high_percent,medium_percent,\
         low_percent,blank_percent,outcome"
    );
    assert_eq!(
        rows[1],
        "1,\"<script>alert(\"\"x\"\")</script>\",\"Chủ tịch HĐND, tỉnh\",2,1,0,0,66.67,33.33,0.00,0.00,none"
    );
    assert_eq!(
        rows[2],
        "2,\"'=HYPERLINK(\"\"http://x\"\")\",Phó Chủ tịch UBND; Ủy viên UBND,1,0,2,0,33.33,0.00,66.67,0.00,dismissal_required"
    );
    assert_eq!(
        rows[3],
        "3,Lê Duy Thành,Giám đốc Sở,0,0,2,1,0.00,0.00,66.67,33.33,dismissal_required"
    );

    let html = download(&app, id, Some(&council.admin), "?format=html").await;
    assert_eq!(html.status, StatusCode::OK);
    assert_eq!(html.content_type, "text/html; charset=utf-8");
    let csp = html.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'none'"), "{csp}");
    let page = html.text();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("<html lang=\"vi\">"));
    assert!(page.contains("BIÊN BẢN KIỂM PHIẾU"));
    assert!(page.contains("@page { size: A4"));
    assert!(
        !page.contains("<script") && !page.contains("<b>kỳ"),
        "user text escaped"
    );
    assert!(page.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"));
    assert!(page.contains("Lấy phiếu tín nhiệm &lt;b&gt;kỳ họp&lt;/b&gt; thứ 9"));
    assert!(page.contains("66,67") && page.contains("Phải trình miễn nhiệm"));
    assert!(page.contains("Tín nhiệm thấp") && page.contains("Đại biểu 3"));
    assert!(page.contains(envelope["digest"].as_str().unwrap()));
    assert!(page.contains(envelope["signature"].as_str().unwrap()));
    for asset in ["src=", "href=", "<link", "url("] {
        assert!(!page.contains(asset), "no outside assets: {asset}");
    }
    let en = download(&app, id, Some(&council.admin), "?format=html&lang=en").await;
    let page = en.text();
    assert!(page.contains("<html lang=\"en\">") && page.contains("COUNTING MINUTES"));
    assert!(page.contains("66.67") && page.contains("Dismissal must be submitted"));
    if let Ok(dir) = std::env::var("TINNHIEM_MINUTES_DIR") {
        // For looking at: render these with a browser (docs/auditing.md).
        std::fs::write(format!("{dir}/minutes-vi.html"), html.body).unwrap();
        std::fs::write(format!("{dir}/minutes-en.html"), en.body).unwrap();
    }
}

#[tokio::test]
async fn confidence_votes_on_seats_and_votes_without_ballots_verify() {
    let app = TestApp::spawn().await;
    let council = app.council(7, 4).await;
    let key = public_key(&app).await;
    let dir = tempfile::tempdir().unwrap();

    let vote = app.vote(&council, "confidence", 2, Some("seats")).await;
    let ballots = vec![
        vec![Some("no_confidence"), Some("confidence")],
        vec![Some("no_confidence"), None],
        vec![Some("no_confidence"), Some("no_confidence")],
        vec![Some("no_confidence"), Some("confidence")],
    ];
    cast_and_close(&app, &council, &vote, &ballots).await;
    let got = download(
        &app,
        vote["id"].as_str().unwrap(),
        Some(&council.auditor),
        "",
    )
    .await;
    let record = &got.json()["record"];
    assert_eq!(record["tally"]["base"], 7);
    assert_eq!(
        record["tally"]["results"][0]["outcome"],
        "dismissal_proposed"
    );
    assert_eq!(
        record["tally"]["results"][1]["counts"],
        json!({"confidence": 2, "no_confidence": 1, "blank": 1})
    );
    let file = write(dir.path(), "confidence.json", &got.body);
    let (code, out) = run_verify(&[&file, "--public-key", &key]);
    assert_eq!(code, 0, "{out}");

    let empty = app.vote(&council, "rating", 1, None).await;
    cast_and_close(&app, &council, &empty, &[]).await;
    let got = download(
        &app,
        empty["id"].as_str().unwrap(),
        Some(&council.auditor),
        "",
    )
    .await;
    let record = &got.json()["record"];
    assert!(record.get("ballots").is_none(), "{record}");
    assert_eq!(record["tally"]["ballots_cast"], 0);
    assert_eq!(
        record["tally"]["results"][0]["counts"],
        json!({"high": 0, "medium": 0, "low": 0, "blank": 0})
    );
    let file = write(dir.path(), "empty.json", &got.body);
    let (code, out) = run_verify(&[&file, "--public-key", &key]);
    assert_eq!(code, 0, "{out}");
}

#[tokio::test]
async fn the_signing_key_is_kept_across_restarts_and_a_record_needs_it() {
    let app = TestApp::spawn().await;
    let council = app.council(20, 4).await;
    let vote = app.vote(&council, "rating", 3, None).await;
    cast_and_close(&app, &council, &vote, &rating_ballots()).await;
    let id = vote["id"].as_str().unwrap().to_owned();
    let key = public_key(&app).await;
    let before = download(&app, &id, Some(&council.auditor), "").await;
    assert_eq!(before.status, StatusCode::OK);
    let key_file = app.config.signing_key_file.clone();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the signing key is private");
    }

    let (dir, db, config) = app.stop().await;
    let app = TestApp::start(dir, db, config).await;
    assert_eq!(public_key(&app).await, key);
    let auditor = app.token(&council.usernames[1], PASSWORD).await;
    let after = download(&app, &id, Some(&auditor), "").await;
    assert_eq!(after.body, before.body, "the same bytes after a restart");

    let history = app.config.signing_key_history_file();
    assert_eq!(
        history.file_name().unwrap(),
        "tinnhiem-signing-keys.txt",
        "beside the key file"
    );
    let (status, keys) = app
        .call(reqwest::Method::GET, "/public-keys", None, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(keys["keys"].as_array().unwrap().len(), 1, "{keys}");
    assert_eq!(keys["keys"][0]["public_key"], key);
    assert_eq!(keys["keys"][0]["current"], true);

    // Started with another key, the service signs new records with it and still serves the
    // old ones, which verify against the earlier key it keeps in its history.
    let (dir, db, mut config) = app.stop().await;
    let new_seed = [5u8; 32];
    config.signing_key = tinnhiem::record::key::SeedText(Some(B64.encode(new_seed)));
    let app = TestApp::start(dir, db, config).await;
    let new_key = RecordKey::from_seed(&new_seed).public_key();
    assert_eq!(public_key(&app).await, new_key);
    let (status, keys) = app
        .call(reqwest::Method::GET, "/public-keys", None, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let listed: Vec<(&str, bool)> = keys["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            assert_eq!(k["algorithm"], "ed25519");
            assert!(k["since"].as_str().is_some(), "{k}");
            (k["public_key"].as_str().unwrap(), k["current"] == true)
        })
        .collect();
    assert_eq!(listed, [(new_key.as_str(), true), (key.as_str(), false)]);
    let auditor = app.token(&council.usernames[1], PASSWORD).await;
    let old = download(&app, &id, Some(&auditor), "").await;
    assert_eq!(old.status, StatusCode::OK, "{}", old.text());
    assert_eq!(
        old.body, before.body,
        "the same bytes, signed by the earlier key"
    );
    let (status, _) = app.get(&format!("/votes/{id}/tally"), &auditor).await;
    assert_eq!(status, StatusCode::OK);
    let chair = app.token(&council.usernames[0], PASSWORD).await;
    let mut council = council;
    council.chair = chair;
    let api = &app.api;
    council.delegates = futures::future::join_all(
        std::iter::once(council.usernames[0].clone())
            .chain(council.usernames[2..].iter().cloned())
            .map(|u| async move { api.token(&u, PASSWORD).await }),
    )
    .await;
    let vote = app.vote(&council, "rating", 3, None).await;
    cast_and_close(&app, &council, &vote, &rating_ballots()).await;
    let new_id = vote["id"].as_str().unwrap().to_owned();
    let new = download(&app, &new_id, Some(&auditor), "").await;
    assert_eq!(new.json()["public_key"], new_key.as_str());

    // tinnhiem verify: the old record holds under the list of keys, not under the new key
    // alone; the new record holds under both.
    let dir = tempfile::tempdir().unwrap();
    let old_file = write(dir.path(), "old.json", &old.body);
    let new_file = write(dir.path(), "new.json", &new.body);
    let keys_file = write(dir.path(), "keys.json", keys.to_string().as_bytes());
    let (code, out) = run_verify(&[&old_file, "--public-key", &keys_file]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("one of the keys given"), "{out}");
    assert_eq!(run_verify(&[&new_file, "--public-key", &keys_file]).0, 0);
    let history_copy = write(
        dir.path(),
        "history.txt",
        &std::fs::read(app.config.signing_key_history_file()).unwrap(),
    );
    assert_eq!(run_verify(&[&old_file, "--public-key", &history_copy]).0, 0);
    let (code, out) = run_verify(&[&old_file, "--public-key", &new_key]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("[FAIL] public key"), "{out}");

    // With the earlier key gone from the history too, the service refuses the old records
    // rather than serve what it cannot vouch for; the new ones are still served.
    let (dir, db, config) = app.stop().await;
    let history = config.signing_key_history_file();
    let kept: String = std::fs::read_to_string(&history)
        .unwrap()
        .lines()
        .filter(|l| !l.contains(key.as_str()))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&history, kept).unwrap();
    let app = TestApp::start(dir, db, config).await;
    let auditor = app.token(&council.usernames[1], PASSWORD).await;
    let detail = download(&app, &id, Some(&auditor), "")
        .await
        .problem(500, "record-integrity");
    assert!(detail.contains("\"public key\""), "{detail}");
    let refused = app.get(&format!("/votes/{id}/tally"), &auditor).await;
    assert_problem(refused, 500, "record-integrity");
    let new = download(&app, &new_id, Some(&auditor), "").await;
    assert_eq!(new.status, StatusCode::OK);
}

/// Runs the migrations of `conn`'s backend that come before `version` (e.g. `20261201000003`),
/// leaving the database as an installation of an earlier version had it.
fn migrate_before(conn: &mut tinnhiem::db::DbConn, version: &str) {
    use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
    const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
    const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");
    macro_rules! before {
        ($c:expr, $source:expr) => {
            for m in $c.pending_migrations($source).unwrap() {
                if m.name().version().to_string().as_str() >= version {
                    break;
                }
                $c.run_migration(&*m).unwrap();
            }
        };
    }
    match conn {
        tinnhiem::db::DbConn::Sqlite(c) => before!(c, SQLITE),
        tinnhiem::db::DbConn::Pg(c) => before!(c, POSTGRES),
    }
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// An installation upgraded with a vote closed before: its ballots are replaced by counts, and
/// its version 1 record, which lists them, is still served byte for byte and still checked.
#[tokio::test]
async fn a_version_1_record_stored_before_the_upgrade_is_still_served() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new(dir.path());
    let mut conn = db.connect();
    migrate_before(&mut conn, "20261201000003");
    conn.batch_execute(include_str!("fixtures/v1-closed-vote.sql"))
        .unwrap();
    let vote = "18a9a67f-f83b-4b88-a7b4-d8f134368fe8";
    let count = |conn: &mut tinnhiem::db::DbConn, sql: &str| {
        diesel::sql_query(sql).get_result::<Count>(conn).unwrap().n
    };
    assert_eq!(count(&mut conn, "SELECT COUNT(*) AS n FROM ballots"), 5);

    let mut config = test_config(&db, dir.path());
    config.signing_key = tinnhiem::record::key::SeedText(Some(B64.encode(crate::verify::V1_SEED)));
    let app = TestApp::start(dir, db, config).await;
    let auditor = app.token("auditor-afe62b02", PASSWORD).await;

    // The ballots are gone; each subject's counts are kept, those of the signed tally.
    assert_eq!(count(&mut conn, "SELECT COUNT(*) AS n FROM ballots"), 0);
    assert_eq!(
        count(&mut conn, "SELECT COUNT(*) AS n FROM subject_counts"),
        16
    );
    let fixture = crate::verify::v1_download();
    let signed: Value = serde_json::from_slice(&fixture).unwrap();
    let subjects = signed["record"]["tally"]["results"].as_array().unwrap();
    for result in subjects {
        for (choice, n) in result["counts"].as_object().unwrap() {
            let stored = count(
                &mut conn,
                &format!(
                    "SELECT CAST(total AS BIGINT) AS n FROM subject_counts WHERE vote_id = {} \
                     AND subject_id = {} AND choice = {}",
                    sql_text(vote),
                    sql_text(result["subject_id"].as_str().unwrap()),
                    sql_text(choice)
                ),
            );
            assert_eq!(Some(stored as u64), n.as_u64(), "{choice} of {result}");
        }
    }

    // Served as it was signed, in every format; the CSV still lists its ballots.
    let json = download(&app, vote, Some(&auditor), "").await;
    assert_eq!(json.status, StatusCode::OK, "{}", json.text());
    assert_eq!(json.body, fixture, "the same bytes as before the upgrade");
    let csv = download(&app, vote, Some(&auditor), "?format=csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.text().contains("\r\n\r\nballot,1,2,3,4\r\n"),
        "{}",
        csv.text()
    );
    let html = download(&app, vote, Some(&auditor), "?format=html").await;
    assert!(html.text().contains("tinnhiem-record/1"));
    let (status, tally) = app.get(&format!("/votes/{vote}/tally"), &auditor).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(tally, signed["record"]["tally"]);

    // And still checked against what is stored: a count changed after the upgrade is refused.
    conn.batch_execute(&format!(
        "UPDATE subject_counts SET total = total + 1 WHERE vote_id = {} AND choice = 'high' \
         AND subject_id = {}",
        sql_text(vote),
        sql_text(subjects[1]["subject_id"].as_str().unwrap())
    ))
    .unwrap();
    let detail = download(&app, vote, Some(&auditor), "")
        .await
        .problem(500, "record-integrity");
    assert!(
        detail.contains("the counts stored now (subject 2)"),
        "{detail}"
    );
}
