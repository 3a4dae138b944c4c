//! Committee votes up to the key: a vote names its counting committee; it cannot open before
//! the committee's key exists; the members make the key with their own tool, the server
//! relaying only sealed values; a member whose values fail a check is named, and the
//! ceremony fails.

use crate::common::*;
use rand::rngs::OsRng;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::Duration;
use tinnhiem::committee_tool::{self, Outcome, Session, ShareFile};
use tinnhiem_crypto::group::{base_mul, decode_point, random_scalar};
use tinnhiem_crypto::proofs::{Context, Equality, Knowledge};
use tinnhiem_crypto::threshold::{self, Polynomial, Sealed};
use tinnhiem_crypto::{hex, Point};

pub(crate) const PASSPHRASE: &str = "a passphrase for the share file";

/// A council with `n` counting committee members (auditors `k1…kn`, ids in order).
async fn with_committee(app: &Api, n: usize) -> (Council, Vec<(String, String)>) {
    let council = app.council(20, 5).await;
    let prefix = &council.id[..8];
    let rows: Vec<(String, String, String)> = (1..=n)
        .map(|i| {
            (
                format!("k{i}-{prefix}"),
                format!("Ủy viên Ban kiểm phiếu {i}"),
                "auditor".to_owned(),
            )
        })
        .collect();
    let (status, body) = app.import(&council.admin, &council.id, &rows).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let mut members = Vec::new();
    for (username, _, _) in rows {
        let id = app.member_id(&council, &username).await;
        members.push((username, id));
    }
    (council, members)
}

fn committee_vote(members: &[&str], threshold: Option<u32>) -> Value {
    let mut committee = json!({ "members": members });
    if let Some(t) = threshold {
        committee["threshold"] = json!(t);
    }
    json!({
        "title": "Lấy phiếu tín nhiệm, kỳ họp thứ 20",
        "kind": "rating",
        "secrecy": "committee",
        "committee": committee,
        "subjects": [
            {"full_name": "Nguyễn Văn A", "positions": ["Chủ tịch UBND tỉnh"]},
            {"full_name": "Trần Thị B", "positions": ["Phó Chủ tịch HĐND tỉnh"]},
        ],
    })
}

/// Runs the member's tool, as `tinnhiem committee ceremony` does, on a blocking thread.
async fn run_ceremony(
    app: &Api,
    username: &str,
    committee: &str,
    file: PathBuf,
) -> Result<Outcome, String> {
    let (base, username, committee) = (app.base.clone(), username.to_owned(), committee.to_owned());
    tokio::task::spawn_blocking(move || {
        let session = Session::sign_in(&base, &username, PASSWORD).map_err(|e| e.to_string())?;
        committee_tool::ceremony(
            &session,
            &committee,
            &file,
            PASSPHRASE,
            Duration::from_millis(50),
            |_| {},
        )
        .map_err(|e| e.to_string())
    })
    .await
    .expect("the tool's thread")
}

/// A council with three committee members and a draft committee vote naming them (t = 2).
async fn committee_draft(app: &Api) -> (Council, Vec<(String, String)>, Value) {
    let (council, members) = with_committee(app, 3).await;
    let ids: Vec<&str> = members.iter().map(|(_, id)| id.as_str()).collect();
    let (status, vote) = app
        .post(
            &format!("/councils/{}/votes", council.id),
            &council.chair,
            committee_vote(&ids, Some(2)),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{vote}");
    (council, members, vote)
}

/// Every member runs their tool at once, keeping share-{position}.json in `dir`; their
/// outcomes, in position order.
async fn make_key(
    app: &Api,
    members: &[(String, String)],
    committee_id: &str,
    dir: &std::path::Path,
) -> Vec<Result<Outcome, String>> {
    let runs = members.iter().enumerate().map(|(i, (username, _))| {
        let file = dir.join(format!("share-{}.json", i + 1));
        run_ceremony(app, username, committee_id, file)
    });
    futures::future::join_all(runs).await
}

#[tokio::test]
async fn a_committee_vote_names_a_committee_of_auditors_or_is_refused() {
    let app = TestApp::spawn().await;
    let (council, members) = with_committee(&app, 3).await;
    let ids: Vec<&str> = members.iter().map(|(_, id)| id.as_str()).collect();
    let path = format!("/councils/{}/votes", council.id);
    let delegate = app.member_id(&council, &council.usernames[2]).await;
    let other = app.council(10, 2).await;
    let stranger = app.member_id(&other, &other.usernames[1]).await;
    let mut refusals = vec![
        ("an unknown secrecy", {
            let mut b = committee_vote(&ids, None);
            b["secrecy"] = json!("public");
            b
        }),
        ("a committee in a server vote", {
            let mut b = committee_vote(&ids, None);
            b["secrecy"] = json!("server");
            b
        }),
        ("a committee vote without committee", {
            let mut b = committee_vote(&ids, None);
            b.as_object_mut().unwrap().remove("committee");
            b
        }),
        ("no members", committee_vote(&[], None)),
        ("a member twice", committee_vote(&[ids[0], ids[0]], None)),
        ("a delegate", committee_vote(&[ids[0], &delegate], None)),
        (
            "another council's auditor",
            committee_vote(&[ids[0], &stranger], None),
        ),
        ("a threshold of 0", committee_vote(&ids, Some(0))),
        ("a threshold above n", committee_vote(&ids, Some(4))),
    ];
    refusals.push(("not an id", committee_vote(&["k1"], None)));
    for (what, body) in refusals {
        let got = app.post(&path, &council.chair, body).await;
        let problem = assert_problem(got, 422, "validation-failed");
        assert!(
            problem["detail"].as_str().unwrap().len() > 20,
            "{what}: {problem}"
        );
    }
    let (_, votes) = app.get(&path, &council.chair).await;
    assert_eq!(votes.as_array().unwrap().len(), 0, "nothing stored");

    let (status, vote) = app
        .post(&path, &council.chair, committee_vote(&ids, None))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{vote}");
    assert_eq!(vote["secrecy"], "committee");
    assert_eq!(vote["committee"]["members"], json!(ids));
    assert_eq!(vote["committee"]["threshold"], 2, "a majority of 3");
    assert_eq!(vote["committee"]["state"], "forming");
    let server = app.vote(&council, "rating", 2, None).await;
    assert_eq!(server["secrecy"], "server");
    assert_eq!(server["committee"], Value::Null);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_members_make_the_key_and_only_then_the_vote_opens() {
    let app = TestApp::spawn().await;
    let (council, members, vote) = committee_draft(&app).await;
    let ids: Vec<&str> = members.iter().map(|(_, id)| id.as_str()).collect();
    let vote_id = vote["id"].as_str().unwrap();
    let committee_id = vote["committee"]["id"].as_str().unwrap().to_owned();
    let refused = app
        .post_empty(&format!("/votes/{vote_id}/open"), &council.chair)
        .await;
    let problem = assert_problem(refused, 409, "invalid-state");
    assert!(
        problem["detail"].as_str().unwrap().contains("0 of 3"),
        "{problem}"
    );

    let outcomes = make_key(&app, &members, &committee_id, app.dir.path()).await;
    let files: Vec<PathBuf> = (1..=3)
        .map(|i| app.dir.path().join(format!("share-{i}.json")))
        .collect();
    let (_, committee) = app
        .get(&format!("/committees/{committee_id}"), &council.chair)
        .await;
    assert_eq!(committee["state"], "ready", "{committee}");
    let joint_key = committee["joint_key"].as_str().unwrap().to_owned();
    for outcome in outcomes {
        assert_eq!(
            outcome.unwrap(),
            Outcome::Ready {
                joint_key: joint_key.clone()
            }
        );
    }

    // Each file holds a share whose key the others can compute, and any two shares
    // interpolate to the joint key: the shares are of one secret.
    let mut share_keys = Vec::new();
    for (i, file) in files.iter().enumerate() {
        let state = ShareFile::load(file, PASSPHRASE).unwrap().unwrap();
        assert_eq!(state.position, i as u32 + 1);
        assert!(state.coefficients.is_none() && state.sealing_secret.is_none());
        let share = hex::decode(state.share.as_deref().unwrap()).unwrap();
        let share = tinnhiem_crypto::group::decode_scalar(&share).unwrap();
        let key = decode_point(&hex::decode(state.share_key.as_deref().unwrap()).unwrap()).unwrap();
        assert_eq!(base_mul(&share), key);
        assert_eq!(state.joint_key.as_deref(), Some(joint_key.as_str()));
        share_keys.push(key);
        // The share is nowhere in the server's database.
        if let Some(path) = app.db.sqlite_path() {
            for file in [path.clone(), path.with_extension("db-wal")] {
                let bytes = std::fs::read(&file).unwrap_or_default();
                assert!(
                    !bytes.windows(32).any(|w| w == share.as_bytes()),
                    "a share in {}",
                    file.display()
                );
                let text = String::from_utf8_lossy(&bytes);
                assert!(!text.contains(state.share.as_deref().unwrap()));
            }
        }
    }
    let joint = decode_point(&hex::decode(&joint_key).unwrap()).unwrap();
    for pair in [[1u32, 2], [2, 3], [1, 3]] {
        let combined = threshold::combine(&pair.map(|j| (j, share_keys[j as usize - 1])));
        assert_eq!(combined, joint, "{pair:?}");
    }

    // A database writer who swaps the joint key is caught by every member's tool, whose share
    // belongs to the key it computed itself.
    {
        use diesel::prelude::*;
        use tinnhiem::db::schema::committees;
        let forged = hex::encode(&base_mul(&random_scalar(&mut OsRng)).compress().to_bytes());
        let mut conn = app.db.connect();
        diesel::update(committees::table.find(&committee_id))
            .set(committees::joint_key.eq(Some(&forged)))
            .execute(&mut conn)
            .unwrap();
        let caught = run_ceremony(&app, &members[0].0, &committee_id, files[0].clone()).await;
        assert!(
            caught.as_ref().is_err_and(|e| e.contains("joint key")),
            "{caught:?}"
        );
        diesel::update(committees::table.find(&committee_id))
            .set(committees::joint_key.eq(Some(&joint_key)))
            .execute(&mut conn)
            .unwrap();
    }

    let (status, opened) = app
        .post_empty(&format!("/votes/{vote_id}/open"), &council.chair)
        .await;
    assert_eq!(status, StatusCode::OK, "{opened}");
    assert_eq!(opened["committee"]["state"], "ready");

    // The follow-up vote of the sitting names the same committee: the same key serves.
    let reordered = [ids[2], ids[0], ids[1]];
    let (_, second) = app
        .post(
            &format!("/councils/{}/votes", council.id),
            &council.chair,
            committee_vote(&reordered, Some(2)),
        )
        .await;
    assert_eq!(second["committee"]["id"], committee_id.as_str());
    let second_id = second["id"].as_str().unwrap();
    let (status, _) = app
        .post_empty(&format!("/votes/{second_id}/open"), &council.chair)
        .await;
    assert_eq!(status, StatusCode::OK);
}

/// Member 3 joins and reveals honestly, then seals a wrong value to member 1: member 1's tool
/// finds it, the ceremony fails naming member 3, and the vote cannot open.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_who_sends_a_wrong_value_is_named_and_the_ceremony_fails() {
    let app = TestApp::spawn().await;
    let (council, members, vote) = committee_draft(&app).await;
    let ids: Vec<&str> = members.iter().map(|(_, id)| id.as_str()).collect();
    let committee_id = vote["committee"]["id"].as_str().unwrap().to_owned();
    let path = format!("/committees/{committee_id}");
    let cheater = app.token(&members[2].0, PASSWORD).await;

    // Steps out of turn, and strangers, are refused.
    assert_problem(
        app.post(
            &format!("{path}/reveal"),
            &cheater,
            json!({"commitments": [], "proofs": []}),
        )
        .await,
        409,
        "invalid-state",
    );
    assert_problem(
        app.post(
            &format!("{path}/join"),
            &council.auditor,
            json!({"sealing_key": "00", "sealing_proof": "00", "commitment_hash": "00"}),
        )
        .await,
        403,
        "forbidden",
    );
    let outsider = app.council(10, 2).await;
    assert_problem(app.get(&path, &outsider.chair).await, 404, "not-found");

    let honest = [0usize, 1].map(|i| {
        let file = app.dir.path().join(format!("share-{}.json", i + 1));
        run_ceremony(&app, &members[i].0, &committee_id, file)
    });
    let cheat = async {
        let sealing = random_scalar(&mut OsRng);
        let polynomial = Polynomial::random(2, &mut OsRng);
        let position = 3u32.to_be_bytes();
        let fields: [&[u8]; 2] = [committee_id.as_bytes(), &position];
        let proof = Knowledge::prove(
            &Context {
                tag: b"sealing-key",
                fields: &fields,
            },
            &sealing,
            &mut OsRng,
        );
        let commitments = polynomial.commitments();
        let proofs = polynomial.proofs(&fields, &mut OsRng);
        let hash = threshold::commitment_hash(committee_id.as_bytes(), 3, &commitments, &proofs);
        let hexes = |points: &[Point]| -> Vec<String> {
            points
                .iter()
                .map(|p| hex::encode(&p.compress().to_bytes()))
                .collect()
        };
        // A sealing proof for another key is refused, and so nothing is stored.
        let other_key = hex::encode(&base_mul(&random_scalar(&mut OsRng)).compress().to_bytes());
        assert_problem(
            app.post(
                &format!("{path}/join"),
                &cheater,
                json!({
                    "sealing_key": other_key,
                    "sealing_proof": hex::encode(&proof.to_bytes()),
                    "commitment_hash": hex::encode(&hash),
                }),
            )
            .await,
            422,
            "validation-failed",
        );
        let joined = app
            .post(
                &format!("{path}/join"),
                &cheater,
                json!({
                    "sealing_key": hex::encode(&base_mul(&sealing).compress().to_bytes()),
                    "sealing_proof": hex::encode(&proof.to_bytes()),
                    "commitment_hash": hex::encode(&hash),
                }),
            )
            .await;
        assert_eq!(joined.0, StatusCode::OK, "{}", joined.1);
        let body = json!({
            "commitments": hexes(&commitments),
            "proofs": proofs.iter().map(|p| hex::encode(&p.to_bytes())).collect::<Vec<_>>(),
        });
        // Once the reveal opens, commitments other than those hashed at join are refused.
        loop {
            let (_, c) = app.get(&path, &cheater).await;
            if c["step"] != "join" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let mut swapped = body.clone();
        swapped["commitments"].as_array_mut().unwrap().reverse();
        swapped["proofs"].as_array_mut().unwrap().reverse();
        assert_problem(
            app.post(&format!("{path}/reveal"), &cheater, swapped).await,
            422,
            "validation-failed",
        );
        let committee = loop {
            let got = app
                .post(&format!("{path}/reveal"), &cheater, body.clone())
                .await;
            if got.0 == StatusCode::OK {
                break got.1;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        let committee = loop {
            if committee["step"] == "share" {
                break committee;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
            let (_, c) = app.get(&path, &cheater).await;
            if c["step"] == "share" {
                break c;
            }
        };
        let sealed: Vec<Value> = [1u32, 2]
            .iter()
            .map(|&j| {
                let key = committee["members"][j as usize - 1]["sealing_key"]
                    .as_str()
                    .unwrap();
                let key = decode_point(&hex::decode(key).unwrap()).unwrap();
                let mut value = polynomial.value_at(j);
                if j == 1 {
                    value += tinnhiem_crypto::Scalar::ONE; // the lie
                }
                let context: [&[u8]; 3] = [
                    committee_id.as_bytes(),
                    &3u32.to_be_bytes(),
                    &j.to_be_bytes(),
                ];
                let sealed = Sealed::seal(&context, &key, &value, &mut OsRng);
                json!({"recipient": j, "sealed": hex::encode(&sealed.to_bytes())})
            })
            .collect();
        let sent = app
            .post(
                &format!("{path}/shares"),
                &cheater,
                json!({ "sealed": sealed }),
            )
            .await;
        assert_eq!(sent.0, StatusCode::OK, "{}", sent.1);
    };
    let (outcomes, ()) = tokio::join!(futures::future::join_all(honest), cheat);
    let (_, committee) = app.get(&path, &council.chair).await;
    assert_eq!(committee["state"], "failed", "{committee}");
    let failure = committee["failure"].as_str().unwrap();
    assert!(
        failure.contains("Ủy viên Ban kiểm phiếu 3 (position 3)"),
        "{failure}"
    );
    for outcome in outcomes {
        match outcome {
            Ok(Outcome::Failed { why }) => assert!(why.contains("position 3"), "{why}"),
            other => panic!("{other:?}"),
        }
    }
    let vote_id = vote["id"].as_str().unwrap();
    let problem = assert_problem(
        app.post_empty(&format!("/votes/{vote_id}/open"), &council.chair)
            .await,
        409,
        "invalid-state",
    );
    assert!(
        problem["detail"].as_str().unwrap().contains("failed"),
        "{problem}"
    );
    // A new vote with the same committee starts a new ceremony rather than reuse the failed.
    let (_, again) = app
        .post(
            &format!("/councils/{}/votes", council.id),
            &council.chair,
            committee_vote(&ids, Some(2)),
        )
        .await;
    assert_ne!(again["committee"]["id"], committee_id.as_str());
    assert_eq!(again["committee"]["state"], "forming");
}

/// A committee vote of two subjects whose three-member key is made (t = 2), opened.
pub(crate) async fn open_committee_vote(app: &Api, dir: &std::path::Path) -> (Council, Value) {
    let (council, members, vote) = committee_draft(app).await;
    let committee_id = vote["committee"]["id"].as_str().unwrap().to_owned();
    for outcome in make_key(app, &members, &committee_id, dir).await {
        assert!(matches!(outcome, Ok(Outcome::Ready { .. })), "{outcome:?}");
    }
    let vote_id = vote["id"].as_str().unwrap();
    let (status, vote) = app
        .post_empty(&format!("/votes/{vote_id}/open"), &council.chair)
        .await;
    assert_eq!(status, StatusCode::OK, "{vote}");
    (council, vote)
}

/// Delegate i of `council` encrypts `cast[i]` (one choice a subject, "" for a blank row) with
/// the delegate's tool and casts it; the tracking codes the server answered, in that order.
pub(crate) async fn cast_encrypted<const N: usize>(
    app: &Api,
    council: &Council,
    vote_id: &str,
    cast: &[[&str; N]],
) -> Vec<String> {
    let path = format!("/votes/{vote_id}/ballot");
    let mut codes = Vec::new();
    for (i, choices) in cast.iter().enumerate() {
        let (_, ballot) = app.get(&path, &council.delegates[i]).await;
        let sealed = tinnhiem::voter_tool::encrypt(&ballot, &marks(&ballot, choices)).unwrap();
        let (status, body) = app
            .post(
                &path,
                &council.delegates[i],
                json!({"encrypted": sealed.cast}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["tracking_code"], sealed.tracking_code.as_str());
        codes.push(sealed.tracking_code);
    }
    codes
}

pub(crate) fn marks(
    ballot: &Value,
    choices: &[&str],
) -> std::collections::BTreeMap<String, String> {
    ballot["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .zip(choices)
        .filter(|(_, c)| !c.is_empty())
        .map(|(s, c)| (s["id"].as_str().unwrap().to_owned(), (*c).to_owned()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_committee_vote_takes_only_encrypted_ballots_with_valid_proofs_once_each() {
    let app = TestApp::spawn().await;
    let (council, vote) = open_committee_vote(&app, app.dir.path()).await;
    let vote_id = vote["id"].as_str().unwrap();
    let path = format!("/votes/{vote_id}/ballot");

    let (_, ballot) = app.get(&path, &council.delegates[1]).await;
    assert_eq!(ballot["secrecy"], "committee");
    let encryption = &ballot["encryption"];
    assert_eq!(encryption["choices"], 3);
    let (_, again) = app.get(&path, &council.delegates[1]).await;
    assert_eq!(
        again["encryption"]["ballot_id"], encryption["ballot_id"],
        "one id per elector"
    );

    // Marks in the clear are refused: the server must never see them.
    let subjects = subject_ids(&vote);
    let clear = app
        .post(
            &path,
            &council.delegates[1],
            json!({"marks": {subjects[0].clone(): "low"}}),
        )
        .await;
    assert_problem(clear, 422, "invalid-ballot");

    let sealed = tinnhiem::voter_tool::encrypt(&ballot, &marks(&ballot, &["low", "high"])).unwrap();
    let body = json!({"encrypted": sealed.cast});
    let (status, answer) = app.post(&path, &council.delegates[1], body.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    assert_eq!(answer["tracking_code"], sealed.tracking_code.as_str());
    assert_problem(
        app.post(&path, &council.delegates[1], body.clone()).await,
        409,
        "already-cast",
    );
    let (_, after) = app.get(&path, &council.delegates[1]).await;
    assert_eq!(after["cast"], true);
    assert_eq!(after["encryption"], Value::Null);

    // Another delegate replays the first ballot under their own ballot id: its proofs are
    // bound to the first id, so it fails.
    let (_, theirs) = app.get(&path, &council.delegates[2]).await;
    let mut copy = sealed.cast.clone();
    copy.ballot_id = theirs["encryption"]["ballot_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let refused = app
        .post(&path, &council.delegates[2], json!({"encrypted": copy}))
        .await;
    assert_problem(refused, 422, "invalid-ballot");
    // Or sends it under the first id, which is not theirs.
    let refused = app.post(&path, &council.delegates[2], body).await;
    assert_problem(refused, 422, "invalid-ballot");

    // A tablet that encrypts a 2 in one cell, with a proof claiming 0 or 1, is refused by name.
    let mut bad = tinnhiem::voter_tool::encrypt(&theirs, &marks(&theirs, &["high", ""])).unwrap();
    {
        use tinnhiem_crypto::elgamal::{Ciphertext, JointKey};
        use tinnhiem_crypto::proofs::ZeroOrOne;
        let key = decode_point(
            &hex::decode(theirs["encryption"]["joint_key"].as_str().unwrap()).unwrap(),
        )
        .unwrap();
        let key = JointKey::new(key);
        let manifest =
            hex::decode(theirs["encryption"]["manifest_hash"].as_str().unwrap()).unwrap();
        let ballot_id = hex::decode(theirs["encryption"]["ballot_id"].as_str().unwrap()).unwrap();
        let r = random_scalar(&mut OsRng);
        let two = Ciphertext::encrypt(&key, 2, &r);
        let context = Context {
            tag: b"cell",
            fields: &[
                &manifest,
                &ballot_id,
                &1u32.to_be_bytes(),
                &0u32.to_be_bytes(),
            ],
        };
        bad.ballot.rows[1].cells[0].ciphertext = two;
        bad.ballot.rows[1].cells[0].proof =
            ZeroOrOne::prove(&context, &key, &two, 1, &r, &mut OsRng);
        use base64::Engine;
        bad.cast.ballot = base64::engine::general_purpose::STANDARD.encode(bad.ballot.to_bytes());
    }
    let refused = app
        .post(&path, &council.delegates[2], json!({"encrypted": bad.cast}))
        .await;
    let problem = assert_problem(refused, 422, "invalid-ballot");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("row 2 choice 1"),
        "{problem}"
    );
    // Neither bytes that are not a ballot.
    let garbage = app
        .post(
            &path,
            &council.delegates[2],
            json!({"encrypted": {"ballot_id": theirs["encryption"]["ballot_id"], "ballot": "AAAA"}}),
        )
        .await;
    assert_problem(garbage, 422, "invalid-ballot");

    // The honest ballot goes in; the vote counts two cast, and holds ciphertexts only.
    let fine = tinnhiem::voter_tool::encrypt(&theirs, &marks(&theirs, &["medium", ""])).unwrap();
    let (status, _) = app
        .post(
            &path,
            &council.delegates[2],
            json!({"encrypted": fine.cast}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, vote) = app.get(&format!("/votes/{vote_id}"), &council.chair).await;
    assert_eq!(vote["ballots_cast"], 2);
    let mut conn = app.db.connect();
    use diesel::prelude::*;
    use tinnhiem::db::schema::{ballots, electors, encrypted_ballots};
    let marks_stored: i64 = ballots::table
        .filter(ballots::vote_id.eq(vote_id))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(marks_stored, 0, "no marks stored in a committee vote");
    let stored: Vec<String> = encrypted_ballots::table
        .filter(encrypted_ballots::vote_id.eq(vote_id))
        .select(encrypted_ballots::tracking_code)
        .load(&mut conn)
        .unwrap();
    assert_eq!(stored.len(), 2);
    assert!(stored.contains(&sealed.tracking_code));
    // Once cast, no elector row keeps the ballot id that names their ballot.
    let ids: Vec<Option<String>> = electors::table
        .filter(electors::vote_id.eq(vote_id))
        .filter(electors::has_cast.eq(true))
        .select(electors::ballot_id)
        .load(&mut conn)
        .unwrap();
    assert!(ids.iter().all(Option::is_none), "{ids:?}");

    // Closed, nothing is counted until the committee decrypts the totals.
    let (status, closed) = app
        .post_empty(&format!("/votes/{vote_id}/close"), &council.chair)
        .await;
    assert_eq!(status, StatusCode::OK, "{closed}");
    assert_eq!(closed["ballots_cast"], 2);
    for what in ["tally", "record"] {
        let got = app
            .get(&format!("/votes/{vote_id}/{what}"), &council.chair)
            .await;
        let problem = assert_problem(got, 409, "tally-not-published");
        assert!(
            problem["detail"].as_str().unwrap().contains("decrypted"),
            "{problem}"
        );
    }
}

/// Four delegates cast encrypted ballots; after the close one member decrypts (nothing is
/// published), a member's forged partial decryption is refused by its proof, the third member
/// is absent, and the second member's decryption publishes the tally: the counts of the marks
/// cast, with DOMAIN.md's percentages and outcomes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_of_three_decrypt_the_totals_and_publish_the_tally() {
    let app = TestApp::spawn().await;
    let (council, vote) = open_committee_vote(&app, app.dir.path()).await;
    let vote_id = vote["id"].as_str().unwrap().to_owned();
    let cast = [
        ["low", "high"],
        ["low", ""],
        ["low", "medium"],
        ["high", "high"],
    ];
    cast_encrypted(&app, &council, &vote_id, &cast).await;
    let (status, _) = app
        .post_empty(&format!("/votes/{vote_id}/close"), &council.chair)
        .await;
    assert_eq!(status, StatusCode::OK);

    let decrypt = |i: usize| {
        let (base, vote_id) = (app.api.base.clone(), vote_id.clone());
        let file = app.dir.path().join(format!("share-{i}.json"));
        let username = format!("k{i}-{}", &council.id[..8]);
        tokio::task::spawn_blocking(move || {
            let session = Session::sign_in(&base, &username, PASSWORD).unwrap();
            committee_tool::decrypt(&session, &vote_id, &file, PASSPHRASE, |_| {})
        })
    };
    let first = decrypt(1).await.unwrap().unwrap();
    assert_eq!(
        (first.decrypted, first.threshold, first.published),
        (1, 2, false)
    );
    assert_problem(
        app.get(&format!("/votes/{vote_id}/tally"), &council.chair)
            .await,
        409,
        "tally-not-published",
    );

    // Member 3 sends partial decryptions that are not made with their share.
    let member3 = app
        .token(&format!("k3-{}", &council.id[..8]), PASSWORD)
        .await;
    let (_, ballots) = app
        .get(&format!("/votes/{vote_id}/ballots"), &member3)
        .await;
    assert_eq!(ballots["ballots"].as_array().unwrap().len(), 4);
    let forged: Vec<Vec<Value>> = ballots["sums"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            row.as_array()
                .unwrap()
                .iter()
                .map(|_| {
                    let x = random_scalar(&mut OsRng);
                    let p = base_mul(&x);
                    json!({
                        "partial": hex::encode(&p.compress().to_bytes()),
                        "proof": hex::encode(&Equality::prove(&Context { tag: b"partial-decryption", fields: &[] }, &x, &p, &mut OsRng).to_bytes()),
                    })
                })
                .collect()
        })
        .collect();
    let refused = app
        .post(
            &format!("/votes/{vote_id}/decryptions"),
            &member3,
            json!({ "shares": forged }),
        )
        .await;
    let problem = assert_problem(refused, 422, "validation-failed");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("row 1 choice 1"),
        "{problem}"
    );
    // A delegate is no committee member.
    assert_problem(
        app.post(
            &format!("/votes/{vote_id}/decryptions"),
            &council.delegates[1],
            json!({ "shares": [] }),
        )
        .await,
        403,
        "forbidden",
    );

    let second = decrypt(2).await.unwrap().unwrap();
    assert_eq!((second.decrypted, second.published), (2, true));
    let (status, tally) = app
        .get(&format!("/votes/{vote_id}/tally"), &council.chair)
        .await;
    assert_eq!(status, StatusCode::OK, "{tally}");
    assert_eq!(tally["ballots_cast"], 4);
    let first_row = &tally["results"][0];
    assert_eq!(
        first_row["counts"],
        json!({"high": 1, "medium": 0, "low": 3, "blank": 0})
    );
    assert_eq!(first_row["percents"]["low"], "75.00");
    assert_eq!(first_row["outcome"], "dismissal_required");
    assert_eq!(
        tally["results"][1]["counts"],
        json!({"high": 2, "medium": 1, "low": 0, "blank": 1})
    );
    assert_eq!(tally["results"][1]["outcome"], "none");
}

/// SIGKILL in the middle of a burst of encrypted casts: after a restart every ballot answered
/// 201 is there, each stored ballot decodes, and "who has cast" matches the ballots stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_loses_no_acknowledged_encrypted_ballot() {
    use diesel::prelude::*;
    use tinnhiem::db::schema::encrypted_ballots;
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new(dir.path());
    let url = db.argument();
    let mut server = ServerProcess::start(&url, dir.path());
    server.wait_healthy().await;
    let (council, vote) = open_committee_vote(&server.api, dir.path()).await;
    let vote_id = vote["id"].as_str().unwrap().to_owned();
    let path = format!("/votes/{vote_id}/ballot");
    // Ballots are encrypted before the burst, as tablets do while delegates mark.
    let mut sealed = Vec::new();
    for token in &council.delegates {
        let (_, ballot) = server.api.get(&path, token).await;
        let choices = ["low", "high"];
        let encrypted = tinnhiem::voter_tool::encrypt(&ballot, &marks(&ballot, &choices)).unwrap();
        sealed.push(json!({"encrypted": encrypted.cast}));
    }
    let casts: Vec<(String, String, Value)> = council
        .delegates
        .iter()
        .zip(sealed)
        .map(|(token, body)| (path.clone(), token.clone(), body))
        .collect();
    let results = server.cast_and_signal(&casts, "-9", 2).await;
    let acknowledged: Vec<usize> = (0..results.len()).filter(|i| results[*i]).collect();
    assert!(acknowledged.len() >= 2, "{acknowledged:?}");

    let mut restarted = ServerProcess::start(&url, dir.path());
    restarted.wait_healthy().await;
    for i in &acknowledged {
        let (_, ballot) = restarted.api.get(&path, &council.delegates[*i]).await;
        assert_eq!(
            ballot["cast"], true,
            "delegate {i} was answered 201 but their ballot is gone"
        );
    }
    let mut conn = db.connect();
    let cast = electors_cast(&mut conn, &vote_id);
    let stored: Vec<String> = encrypted_ballots::table
        .filter(encrypted_ballots::vote_id.eq(&vote_id))
        .select(encrypted_ballots::ballot)
        .load(&mut conn)
        .unwrap();
    assert_eq!(cast, stored.len(), "participation and ballots disagree");
    assert!(stored.len() >= acknowledged.len());
    use base64::Engine;
    let shape = tinnhiem_crypto::ballot::Shape {
        rows: 2,
        choices: 3,
    };
    for ballot in &stored {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(ballot)
            .unwrap();
        assert!(
            tinnhiem_crypto::ballot::EncryptedBallot::from_bytes(&bytes, shape).is_ok(),
            "a half-stored ballot"
        );
    }
}

/// Runs `tinnhiem cast` with `args`, the password on standard input.
async fn run_cast(args: Vec<String>) -> std::process::Output {
    tokio::task::spawn_blocking(move || {
        use std::io::Write;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_tinnhiem"))
            .args(&args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        writeln!(child.stdin.take().unwrap(), "{PASSWORD}").unwrap();
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap()
}

/// `tinnhiem cast` checks the committee's ceremony and the vote's manifest itself, refuses to
/// cast when the ceremony's fingerprint is not the one the committee read out, and otherwise
/// encrypts on the delegate's own machine, casts, and prints the tracking code the vote then
/// lists; the password comes from standard input and is never printed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delegate_casts_from_a_terminal() {
    let app = TestApp::spawn().await;
    let (council, vote) = open_committee_vote(&app, app.dir.path()).await;
    let vote_id = vote["id"].as_str().unwrap().to_owned();
    let (base, username) = (app.api.base.clone(), council.usernames[2].clone());
    let args = vec![
        "cast".to_owned(),
        "--server".to_owned(),
        base,
        "--username".to_owned(),
        username,
        "--vote".to_owned(),
        vote_id.clone(),
        "--mark".to_owned(),
        "2=medium".to_owned(),
    ];
    let (_, committee) = app
        .get(
            &format!("/committees/{}", vote["committee"]["id"].as_str().unwrap()),
            &council.chair,
        )
        .await;
    let read_out =
        committee_tool::ceremony::fingerprint(committee["ceremony_hash"].as_str().unwrap());

    let mut wrong = args.clone();
    wrong.extend(["--fingerprint".to_owned(), "0000 1111 2222 3333".to_owned()]);
    let refused = run_cast(wrong).await;
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert!(
        stderr.contains("not cast") && stderr.contains(&read_out),
        "{stderr}"
    );
    let (_, ballot) = app
        .get(&format!("/votes/{vote_id}/ballot"), &council.delegates[1])
        .await;
    assert_eq!(ballot["cast"], false, "nothing was cast");

    let mut right = args.clone();
    right.extend(["--fingerprint".to_owned(), read_out.to_uppercase()]);
    let output = run_cast(right).await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(!stdout.contains(PASSWORD) && !stderr.contains(PASSWORD));
    let code = stdout.trim();
    assert_eq!(code.len(), 64, "{stdout}");
    let (_, ballot) = app
        .get(&format!("/votes/{vote_id}/ballot"), &council.delegates[1])
        .await;
    assert_eq!(ballot["cast"], true);
    app.post_empty(&format!("/votes/{vote_id}/close"), &council.chair)
        .await;
    let (_, ballots) = app
        .get(&format!("/votes/{vote_id}/ballots"), &council.chair)
        .await;
    assert_eq!(ballots["ballots"][0]["tracking_code"], code);
}

/// A delegate's machine refuses to encrypt under a key the committee did not make, for a
/// manifest that is not the vote's, or for a committee whose ceremony does not check: what a
/// server that wanted to read ballots would have to show it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delegates_machine_refuses_a_key_or_manifest_the_committee_did_not_make() {
    use tinnhiem::voter_tool::check_encryption;
    let app = TestApp::spawn().await;
    let (council, vote) = open_committee_vote(&app, app.dir.path()).await;
    let vote_id = vote["id"].as_str().unwrap();
    let (_, ballot) = app
        .get(&format!("/votes/{vote_id}/ballot"), &council.delegates[0])
        .await;
    let (_, shown) = app
        .get(&format!("/votes/{vote_id}"), &council.delegates[0])
        .await;
    let (_, committee) = app
        .get(
            &format!("/committees/{}", vote["committee"]["id"].as_str().unwrap()),
            &council.delegates[0],
        )
        .await;
    let parse =
        |v: &Value| serde_json::from_value::<tinnhiem::shapes::Committee>(v.clone()).unwrap();
    let fingerprint = check_encryption(&shown, &ballot, &parse(&committee)).unwrap();
    assert_eq!(
        fingerprint,
        committee_tool::ceremony::fingerprint(committee["ceremony_hash"].as_str().unwrap())
    );
    // The server's own key in place of the committee's.
    let own = hex::encode(&base_mul(&random_scalar(&mut OsRng)).compress().to_bytes());
    let mut swapped = ballot.clone();
    swapped["encryption"]["joint_key"] = json!(own);
    let refused = check_encryption(&shown, &swapped, &parse(&committee)).unwrap_err();
    assert!(refused.contains("key"), "{refused}");
    // A committee with that key, its ceremony otherwise as published.
    let mut forged = committee.clone();
    forged["joint_key"] = json!(own);
    let refused = check_encryption(&shown, &swapped, &parse(&forged)).unwrap_err();
    assert!(refused.contains("ceremony"), "{refused}");
    // A manifest with the subjects in another order.
    let mut reordered = ballot.clone();
    reordered["subjects"].as_array_mut().unwrap().swap(0, 1);
    let refused = check_encryption(&shown, &reordered, &parse(&committee)).unwrap_err();
    assert!(refused.contains("manifest"), "{refused}");
}

/// The "signature" attack in a committee vote: a delegate casts a dictated pattern over ten
/// subjects. The pattern is nowhere in the database while the vote is open (only ciphertexts
/// are stored), nor after the close and the decryption, nor in the tally or the vote: only
/// each subject's totals are ever decrypted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dictated_pattern_is_never_stored_or_published_in_a_committee_vote() {
    use crate::secrecy::{count, every_row, files, spellings};
    // high, low, blank, medium, high, blank, low, medium, blank, high
    const SIGNATURE: &str = "hl-mh-lm-h";
    let app = TestApp::spawn().await;
    let (council, members) = with_committee(&app, 3).await;
    let ids: Vec<&str> = members.iter().map(|(_, id)| id.as_str()).collect();
    let mut body = committee_vote(&ids, Some(2));
    body["subjects"] = (1..=10)
        .map(|i| json!({"full_name": format!("Người {i}"), "positions": ["Ủy viên"]}))
        .collect();
    let (_, vote) = app
        .post(
            &format!("/councils/{}/votes", council.id),
            &council.chair,
            body,
        )
        .await;
    let vote_id = vote["id"].as_str().unwrap().to_owned();
    let committee_id = vote["committee"]["id"].as_str().unwrap().to_owned();
    for outcome in make_key(&app, &members, &committee_id, app.dir.path()).await {
        assert!(matches!(outcome, Ok(Outcome::Ready { .. })), "{outcome:?}");
    }
    app.post_empty(&format!("/votes/{vote_id}/open"), &council.chair)
        .await;
    let name = |c: char| match c {
        'h' => "high",
        'm' => "medium",
        'l' => "low",
        _ => "",
    };
    let others = ["hhhhhhhhhh", "mmmmmmmmmm", "llllllllll", "h-h-h-h-h-"];
    let mut patterns: Vec<&str> = others.to_vec();
    patterns.insert(2, SIGNATURE);
    let path = format!("/votes/{vote_id}/ballot");
    for (d, pattern) in patterns.iter().enumerate() {
        let (_, ballot) = app.get(&path, &council.delegates[d]).await;
        let choices: Vec<&str> = pattern.chars().map(name).collect();
        let sealed = tinnhiem::voter_tool::encrypt(&ballot, &marks(&ballot, &choices)).unwrap();
        let (status, _) = app
            .post(
                &path,
                &council.delegates[d],
                json!({"encrypted": sealed.cast}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let search = |app: &TestApp| {
        let mut conn = app.db.connect();
        let forms = spellings(SIGNATURE);
        let rows: Vec<String> = every_row(&mut conn)
            .into_iter()
            .filter(|(_, row)| forms.iter().any(|f| row.contains(f.as_str())))
            .map(|(table, _)| table)
            .collect();
        assert!(rows.is_empty(), "the pattern is in {rows:?}");
        if let Some((db, wal)) = files(app) {
            for form in &forms {
                assert_eq!(
                    count(&db, form.as_bytes()) + count(&wal, form.as_bytes()),
                    0
                );
            }
        }
    };
    search(&app); // while open: ciphertexts only
    app.post_empty(&format!("/votes/{vote_id}/close"), &council.chair)
        .await;
    for i in 1..=2 {
        let (base, vote_id) = (app.api.base.clone(), vote_id.clone());
        let file = app.dir.path().join(format!("share-{i}.json"));
        let username = members[i - 1].0.clone();
        tokio::task::spawn_blocking(move || {
            let session = Session::sign_in(&base, &username, PASSWORD).unwrap();
            committee_tool::decrypt(&session, &vote_id, &file, PASSPHRASE, |_| {}).unwrap()
        })
        .await
        .unwrap();
    }
    search(&app);
    for path in [
        format!("/votes/{vote_id}/tally"),
        format!("/votes/{vote_id}"),
    ] {
        let (status, body) = app.get(&path, &council.auditor).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        for form in spellings(SIGNATURE) {
            assert!(!body.to_string().contains(&form), "{path} holds {form}");
        }
    }
    // The signed record, and the CSV and the minutes made from it: totals and ciphertexts only.
    for query in ["", "?format=csv", "?format=html"] {
        let got = crate::records::download(&app, &vote_id, Some(&council.auditor), query).await;
        assert_eq!(got.status, StatusCode::OK, "record{query}: {}", got.text());
        let text = got.text();
        for form in spellings(SIGNATURE) {
            assert!(!text.contains(&form), "record{query} holds {form}");
        }
    }
    let (_, tally) = app
        .get(&format!("/votes/{vote_id}/tally"), &council.auditor)
        .await;
    // The first subject: high from the signature and two others, medium, low.
    assert_eq!(
        tally["results"][0]["counts"],
        json!({"high": 3, "medium": 1, "low": 1, "blank": 0})
    );
}
