//! What a committee vote's tablet relies on besides casting: a ballot opened instead of cast
//! (the Benaloh challenge) is checked by `tinnhiem check-ballot`, which refuses a tampered one;
//! and a delegate finds their tracking code among the counted ballots once the tally is
//! published (`GET /votes/{id}/tracking-codes/{code}`).

use crate::committees::{cast_encrypted, marks, open_committee_vote, PASSPHRASE};
use crate::common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::process::Command;
use tinnhiem::check_ballot::{self, OpenedBallot};
use tinnhiem::committee_tool::{self, Session};

/// Runs the binary's `check-ballot` on `opened`: its exit code and what it printed.
fn run_check(dir: &std::path::Path, name: &str, opened: &OpenedBallot) -> (i32, String) {
    let file = dir.join(name);
    std::fs::write(&file, serde_json::to_vec_pretty(opened).unwrap()).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_tinnhiem"))
        .arg("check-ballot")
        .arg(&file)
        .output()
        .expect("the binary runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    (out.status.code().unwrap_or(-1), text)
}

/// A hex scalar other than `r`, still canonical: r + 1 (r's lowest byte is below 0xff for all
/// but one in 256 values; then r − 1).
fn other_scalar(r: &str) -> String {
    let mut bytes = tinnhiem_crypto::hex::decode(r).unwrap();
    if bytes[0] == 0xff {
        bytes[0] = 0xfe;
    } else {
        bytes[0] += 1;
    }
    tinnhiem_crypto::hex::encode(&bytes)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_opened_ballot_passes_check_ballot_and_a_tampered_one_is_refused() {
    let app = TestApp::spawn().await;
    let (council, vote) = open_committee_vote(&app, app.dir.path()).await;
    let vote_id = vote["id"].as_str().unwrap();
    let (_, ballot) = app
        .get(&format!("/votes/{vote_id}/ballot"), &council.delegates[1])
        .await;
    let encrypted = tinnhiem::voter_tool::encrypt(&ballot, &marks(&ballot, &["low", ""])).unwrap();
    let opened = check_ballot::opened(&ballot, &encrypted);
    assert_eq!(opened.marks, vec![Some(2), None]);
    assert_eq!(opened.choices, ["high", "medium", "low"]);

    let check = check_ballot::check(&serde_json::to_vec(&opened).unwrap()).unwrap();
    assert!(check.holds(), "{}", check.report());
    assert_eq!(check.rows, vec![Some("low".to_owned()), None]);
    let (code, text) = run_check(app.dir.path(), "opened.json", &opened);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("KẾT QUẢ: ĐÚNG") && text.contains("RESULT: MATCHES"),
        "{text}"
    );
    assert!(text.contains("Tín nhiệm thấp · Low"), "{text}");
    assert!(text.contains("Để trống · Blank"), "{text}");
    assert!(
        text.contains(&check_ballot::short_code(&opened.tracking_code)),
        "{text}"
    );

    // The tablet shows one mark and encrypted another: the marks do not open the ballot.
    let mut changed_mark = opened.clone();
    changed_mark.marks[0] = Some(0);
    let (code, text) = run_check(app.dir.path(), "changed-mark.json", &changed_mark);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("KHÔNG KHỚP") && text.contains("DOES NOT MATCH"),
        "{text}"
    );
    assert!(text.contains("✗ Mỗi ô mã hóa lại"), "{text}");
    // A blank row shown for a marked one, or the reverse.
    let mut blanked = opened.clone();
    blanked.marks[0] = None;
    assert!(!check_ballot::check(&serde_json::to_vec(&blanked).unwrap())
        .unwrap()
        .holds());

    let mut changed_r = opened.clone();
    changed_r.randomness[1][2] = other_scalar(&changed_r.randomness[1][2]);
    let (code, text) = run_check(app.dir.path(), "changed-r.json", &changed_r);
    assert_eq!(code, 1, "{text}");

    // Another ballot's tracking code shown beside this ballot.
    let mut other_code = opened.clone();
    let again = tinnhiem::voter_tool::encrypt(&ballot, &marks(&ballot, &["low", ""])).unwrap();
    other_code.tracking_code = again.tracking_code;
    let (code, text) = run_check(app.dir.path(), "other-code.json", &other_code);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("✗ Mã theo dõi"), "{text}");

    // A ballot whose bytes were changed: its proofs fail.
    let mut bytes = base64_decode(&opened.ballot);
    bytes[70] ^= 1;
    let mut changed_ballot = opened.clone();
    changed_ballot.ballot = base64_encode(&bytes);
    let (code, text) = run_check(app.dir.path(), "changed-ballot.json", &changed_ballot);
    assert_eq!(code, 1, "{text}");

    // Not an opened ballot; a non-canonical r; a file that is not there.
    let mut wrong_r = opened.clone();
    wrong_r.randomness[0][0] = "ff".repeat(32);
    let (code, text) = run_check(app.dir.path(), "wrong-r.json", &wrong_r);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("NOT AN OPENED BALLOT"), "{text}");
    let out = Command::new(env!("CARGO_BIN_EXE_tinnhiem"))
        .args(["check-ballot", "/nonexistent/opened.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap()
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delegate_finds_their_tracking_code_once_the_tally_is_published() {
    let app = TestApp::spawn().await;
    let (council, vote) = open_committee_vote(&app, app.dir.path()).await;
    let vote_id = vote["id"].as_str().unwrap().to_owned();
    let codes = cast_encrypted(&app, &council, &vote_id, &[["high", "low"], ["", "medium"]]).await;
    let lookup = |code: &str| format!("/votes/{vote_id}/tracking-codes/{code}");
    let delegate = &council.delegates[0];

    // Open: nothing to find yet.
    assert_problem(
        app.get(&lookup(&codes[0]), delegate).await,
        409,
        "tally-not-published",
    );
    let (status, _) = app
        .post_empty(&format!("/votes/{vote_id}/close"), &council.chair)
        .await;
    assert_eq!(status, StatusCode::OK);
    // Closed, not yet decrypted.
    let problem = assert_problem(
        app.get(&lookup(&codes[0]), delegate).await,
        409,
        "tally-not-published",
    );
    assert!(
        problem["detail"].as_str().unwrap().contains("committee"),
        "{problem}"
    );

    for i in [1, 2] {
        let (base, vote_id) = (app.api.base.clone(), vote_id.clone());
        let file = app.dir.path().join(format!("share-{i}.json"));
        let username = format!("k{i}-{}", &council.id[..8]);
        tokio::task::spawn_blocking(move || {
            let session = Session::sign_in(&base, &username, PASSWORD).unwrap();
            committee_tool::decrypt(&session, &vote_id, &file, PASSPHRASE, |_| {})
        })
        .await
        .unwrap()
        .unwrap();
    }

    for code in &codes {
        let (status, body) = app.get(&lookup(code), delegate).await;
        assert_eq!((status, body), (StatusCode::OK, json!({"counted": true})));
        // Any member of the council may ask, in either case.
        let (status, _) = app
            .get(&lookup(&code.to_uppercase()), &council.auditor)
            .await;
        assert_eq!(status, StatusCode::OK);
    }
    // A code no counted ballot has.
    let problem = assert_problem(
        app.get(&lookup(&"ab".repeat(32)), delegate).await,
        404,
        "not-found",
    );
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("tracking code"),
        "{problem}"
    );
    // Not a tracking code: the short form, or not hex.
    for bad in [
        check_ballot::short_code(&codes[0]).replace(' ', ""),
        "zz".repeat(32),
    ] {
        let problem = assert_problem(
            app.get(&lookup(&bad), delegate).await,
            422,
            "validation-failed",
        );
        assert!(
            problem["detail"].as_str().unwrap().contains("64"),
            "{problem}"
        );
    }
    // Another council's member sees no such vote; no token is 401.
    let other = app.council(5, 2).await;
    assert_problem(
        app.get(&lookup(&codes[0]), &other.chair).await,
        404,
        "not-found",
    );
    assert_problem(
        app.get(&lookup(&codes[0]), "").await,
        401,
        "unauthenticated",
    );
}

#[tokio::test]
async fn a_server_vote_has_no_tracking_codes() {
    let app = TestApp::spawn().await;
    let council = app.council(5, 2).await;
    let (status, vote): (StatusCode, Value) = app
        .post(
            &format!("/councils/{}/votes", council.id),
            &council.chair,
            json!({"title": "Lấy phiếu", "kind": "rating",
                   "subjects": [{"full_name": "Nguyễn Văn A", "positions": ["Chủ tịch"]}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{vote}");
    let path = format!(
        "/votes/{}/tracking-codes/{}",
        vote["id"].as_str().unwrap(),
        "ab".repeat(32)
    );
    let problem = assert_problem(
        app.get(&path, &council.delegates[0]).await,
        404,
        "not-found",
    );
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("committee votes only"),
        "{problem}"
    );
}
