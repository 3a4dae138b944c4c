//! A committee vote's record (version 2 with its encrypted count): signed when the tally is
//! published, served only while the database still holds what it was made from, and checked
//! by `tinnhiem verify` from the record alone: every ballot's proofs, the sums, each partial
//! decryption and the counts. A record changed in any of these and signed again with a valid
//! key is refused by the check that the change breaks.

use crate::committees::{cast_encrypted, open_committee_vote, PASSPHRASE};
use crate::common::*;
use crate::records::{download, run_verify, write};
use crate::verify::signed;
use base64::Engine;
use reqwest::StatusCode;
use serde_json::{json, Value};
use tinnhiem::committee_tool::{self, Session, ShareFile};
use tinnhiem::record::key::RecordKey;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// The marks of the four delegates, two subjects each ("" for a blank row).
const CAST: [[&str; 2]; 4] = [
    ["low", "high"],
    ["low", ""],
    ["low", "medium"],
    ["high", "high"],
];

struct Published {
    app: TestApp,
    council: Council,
    vote_id: String,
    tracking_codes: Vec<String>,
}

async fn member_decrypts(app: &TestApp, council: &Council, vote_id: &str, i: usize) -> Value {
    let (base, vote_id) = (app.api.base.clone(), vote_id.to_owned());
    let file = app.dir.path().join(format!("share-{i}.json"));
    let username = format!("k{i}-{}", &council.id[..8]);
    let progress = tokio::task::spawn_blocking(move || {
        let session = Session::sign_in(&base, &username, PASSWORD).unwrap();
        committee_tool::decrypt(&session, &vote_id, &file, PASSPHRASE, |_| {})
    })
    .await
    .unwrap();
    match progress {
        Ok(p) => json!({"decrypted": p.decrypted, "published": p.published}),
        Err(e) => json!({"error": e.to_string()}),
    }
}

/// A committee vote cast by four delegates, closed, and decrypted by members 1 and 2 (member 3
/// absent).
async fn published_committee_vote() -> Published {
    let app = TestApp::spawn().await;
    let (council, vote) = open_committee_vote(&app, app.dir.path()).await;
    let vote_id = vote["id"].as_str().unwrap().to_owned();
    let tracking_codes = cast_encrypted(&app, &council, &vote_id, &CAST).await;
    let (status, _) = app
        .post_empty(&format!("/votes/{vote_id}/close"), &council.chair)
        .await;
    assert_eq!(status, StatusCode::OK);
    // Until the committee has decrypted, there is no record.
    let early = download(&app, &vote_id, Some(&council.chair), "").await;
    early.problem(409, "tally-not-published");
    let first = member_decrypts(&app, &council, &vote_id, 1).await;
    assert_eq!(first, json!({"decrypted": 1, "published": false}));
    let second = member_decrypts(&app, &council, &vote_id, 2).await;
    assert_eq!(second, json!({"decrypted": 2, "published": true}));
    Published {
        app,
        council,
        vote_id,
        tracking_codes,
    }
}

fn record_of(bytes: &[u8]) -> Value {
    serde_json::from_slice::<Value>(bytes).unwrap()["record"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_committee_votes_record_proves_its_count_to_tinnhiem_verify() {
    let Published {
        app,
        council,
        vote_id,
        tracking_codes,
    } = published_committee_vote().await;
    let (status, tally) = app
        .get(&format!("/votes/{vote_id}/tally"), &council.chair)
        .await;
    assert_eq!(status, StatusCode::OK, "{tally}");
    assert_eq!(tally["secrecy"], "committee");
    assert_eq!(
        tally["results"][0]["counts"],
        json!({"high": 1, "medium": 0, "low": 3, "blank": 0})
    );

    let auditor = &council.usernames[1];
    let token = app.token(auditor, PASSWORD).await;
    let got = download(&app, &vote_id, Some(&token), "").await;
    assert_eq!(got.status, StatusCode::OK, "{}", got.text());
    let record = record_of(&got.body);
    assert_eq!(record["format"], "tinnhiem-record/2");
    assert_eq!(record["vote"]["secrecy"], "committee");
    assert!(record.get("ballots").is_none(), "no ballot in the clear");
    let count = &record["encryption"];
    let listed: Vec<&str> = count["ballots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["tracking_code"].as_str().unwrap())
        .collect();
    // Every delegate finds their tracking code, and the list says nothing of the order of casting.
    let mut sorted = tracking_codes.clone();
    sorted.sort();
    assert_eq!(listed, sorted);
    let positions: Vec<u64> = count["decryptions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["position"].as_u64().unwrap())
        .collect();
    assert_eq!(positions, [1, 2]);
    // Compact ballots: 2 subjects of 3 choices are 2 × (3 × 192 + 128) bytes.
    let ballot = B64
        .decode(count["ballots"][0]["ballot"].as_str().unwrap())
        .unwrap();
    assert_eq!(ballot.len(), 2 * (3 * 192 + 128));

    let file = write(app.dir.path(), "record.json", &got.body);
    let (status, keys) = app
        .call(reqwest::Method::GET, "/public-keys", None, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let keys_file = write(
        app.dir.path(),
        "keys.json",
        serde_json::to_string(&keys).unwrap().as_bytes(),
    );
    let (code, out) = run_verify(&[&file, "--public-key", &keys_file]);
    assert_eq!(code, 0, "{out}");
    for check in [
        "committee",
        "manifest",
        "ballot proofs",
        "sums",
        "decryptions",
        "decrypted counts",
    ] {
        assert!(out.contains(&format!("[ok  ] {check}:")), "{check}: {out}");
    }
    assert!(out.contains("VALID"), "{out}");
    // The ceremony's fingerprint, as the members read it out, in the report and the minutes.
    let fingerprint = tinnhiem::domain::committee::fingerprint(
        count["committee"]["ceremony_hash"].as_str().unwrap(),
    );
    assert!(out.contains(&fingerprint), "{out}");
    let minutes = download(&app, &vote_id, Some(&token), "?format=html").await;
    assert_eq!(minutes.status, StatusCode::OK);
    let minutes = minutes.text();
    assert!(
        minutes.contains(&fingerprint),
        "the minutes print the fingerprint"
    );
    assert!(minutes.contains("Ban kiểm phiếu"), "{minutes}");

    // The absent member comes late: the tally stands as signed, and nothing is added to it.
    let late = member_decrypts(&app, &council, &vote_id, 3).await;
    let error = late["error"].as_str().unwrap_or_default();
    assert!(error.contains("already published"), "{late}");
    let again = download(&app, &vote_id, Some(&token), "").await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.text());
    assert_eq!(again.body, got.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_committee_record_signed_again_is_refused_by_its_proofs() {
    let Published {
        app,
        council,
        vote_id,
        ..
    } = published_committee_vote().await;
    let got = download(&app, &vote_id, Some(&council.chair), "").await;
    assert_eq!(got.status, StatusCode::OK, "{}", got.text());
    let genuine = record_of(&got.body);
    // A forger with a valid key of their own: the signature holds, so only the count can
    // refuse the record.
    let forger = RecordKey::from_seed(&[5u8; 32]);
    let mut base = genuine.clone();
    base["signing_key"]["public_key"] = json!(forger.public_key());
    let verdict = tinnhiem::record::verify(&signed(&base, &forger), None);
    assert!(verdict.valid(), "{}", verdict.report());

    let flip = |text: &str, at: usize| -> String {
        let mut bytes = B64.decode(text).unwrap();
        bytes[at] ^= 1;
        B64.encode(bytes)
    };
    type Edit = Box<dyn Fn(&mut Value)>;
    let edits: Vec<(&str, Edit, &str)> = vec![
        (
            "a proof's response changed",
            Box::new(move |r: &mut Value| {
                let b = &mut r["encryption"]["ballots"][0]["ballot"];
                *b = json!(flip(b.as_str().unwrap(), 64 + 100));
            }),
            "ballot proofs",
        ),
        (
            "a ciphertext changed",
            Box::new(move |r: &mut Value| {
                let b = &mut r["encryption"]["ballots"][1]["ballot"];
                *b = json!(flip(b.as_str().unwrap(), 3));
            }),
            "ballot proofs",
        ),
        (
            "a ballot listed twice",
            Box::new(|r: &mut Value| {
                let copy = r["encryption"]["ballots"][0].clone();
                r["encryption"]["ballots"]
                    .as_array_mut()
                    .unwrap()
                    .push(copy);
            }),
            "encrypted ballots",
        ),
        (
            "a ballot's tracking code changed",
            Box::new(|r: &mut Value| {
                let last = r["encryption"]["ballots"].as_array().unwrap().len() - 1;
                r["encryption"]["ballots"][last]["tracking_code"] = json!("f".repeat(64));
            }),
            "ballot proofs",
        ),
        (
            "a sum swapped with another cell's",
            Box::new(|r: &mut Value| {
                let other = r["encryption"]["sums"][0][1].clone();
                r["encryption"]["sums"][0][0] = other;
            }),
            "sums",
        ),
        (
            "a partial decryption replaced by another cell's",
            Box::new(|r: &mut Value| {
                let other = r["encryption"]["decryptions"][0]["shares"][0][1].clone();
                r["encryption"]["decryptions"][0]["shares"][0][0] = other;
            }),
            "decryptions",
        ),
        (
            "fewer decryptions than the threshold",
            Box::new(|r: &mut Value| {
                r["encryption"]["decryptions"].as_array_mut().unwrap().pop();
            }),
            "decryptions",
        ),
        (
            "another joint key",
            Box::new(|r: &mut Value| {
                let c = r["encryption"]["committee"]["members"][0]["commitments"][0].clone();
                r["encryption"]["committee"]["joint_key"] = c;
            }),
            "committee",
        ),
        (
            "a member's commitment replaced",
            Box::new(|r: &mut Value| {
                let c = r["encryption"]["committee"]["members"][1]["commitments"][0].clone();
                r["encryption"]["committee"]["members"][0]["commitments"][0] = c;
            }),
            "committee",
        ),
        (
            "a ballot's id replaced",
            Box::new(|r: &mut Value| {
                r["encryption"]["ballots"][0]["ballot_id"] = json!("0f".repeat(16));
            }),
            "ballot proofs",
        ),
        (
            "a member's confirmation replaced",
            Box::new(|r: &mut Value| {
                r["encryption"]["committee"]["members"][1]["confirmation"] = json!("ab".repeat(32));
            }),
            "committee",
        ),
        (
            "a sealed value changed",
            Box::new(|r: &mut Value| {
                let sealed = r["encryption"]["committee"]["sealed"][0]["sealed"]
                    .as_str()
                    .unwrap()
                    .to_owned();
                let other = r["encryption"]["committee"]["sealed"][1]["sealed"].clone();
                assert_ne!(json!(sealed), other);
                r["encryption"]["committee"]["sealed"][0]["sealed"] = other;
            }),
            "committee",
        ),
        (
            "the ceremony hash replaced",
            Box::new(|r: &mut Value| {
                r["encryption"]["committee"]["ceremony_hash"] = json!("cd".repeat(32));
            }),
            "committee",
        ),
        (
            "the threshold raised",
            Box::new(|r: &mut Value| {
                r["encryption"]["committee"]["threshold"] = json!(3);
            }),
            "committee",
        ),
        (
            "the manifest hash replaced",
            Box::new(|r: &mut Value| {
                r["encryption"]["manifest_hash"] = json!("ef".repeat(32));
            }),
            "manifest",
        ),
        (
            "another protocol named",
            Box::new(|r: &mut Value| {
                r["encryption"]["protocol"] = json!("tinnhiem-verifiable/2");
            }),
            "protocol",
        ),
        (
            "the ballot list hash replaced",
            Box::new(|r: &mut Value| {
                r["encryption"]["ballot_list_hash"] = json!("ab".repeat(32));
            }),
            "decryptions",
        ),
        (
            "the ballot list hash left out, as records made before it named none",
            Box::new(|r: &mut Value| {
                r["encryption"]
                    .as_object_mut()
                    .unwrap()
                    .remove("ballot_list_hash");
            }),
            "decryptions",
        ),
        (
            "a decryption credited to another member",
            Box::new(|r: &mut Value| {
                r["encryption"]["decryptions"][1]["position"] = json!(3);
            }),
            "decryptions",
        ),
        (
            "the subjects reordered in the tally",
            Box::new(|r: &mut Value| {
                r["tally"]["results"].as_array_mut().unwrap().swap(0, 1);
            }),
            "manifest",
        ),
        (
            "a count moved from one choice to another, percentages and outcome made to match",
            Box::new(|r: &mut Value| {
                let row = &mut r["tally"]["results"][0];
                row["counts"] = json!({"high": 2, "medium": 0, "low": 2, "blank": 0});
                row["percents"] =
                    json!({"high": "50.00", "medium": "0.00", "low": "50.00", "blank": "0.00"});
                row["outcome"] = json!("may_resign");
            }),
            "subject 1",
        ),
    ];
    for (what, edit, check) in edits {
        let mut record = base.clone();
        edit(&mut record);
        let verdict = tinnhiem::record::verify(&signed(&record, &forger), None);
        let failed: Vec<&str> = verdict.failures().iter().map(|c| c.name.as_str()).collect();
        assert!(
            failed.contains(&check),
            "{what}: expected \"{check}\" to fail, failed: {failed:?}\n{}",
            verdict.report()
        );
    }

    // Two blank ballots whose randomness cancels, added after the decryption: each is a valid
    // ballot, every sum stays as it was, and only the decryptions' binding to the list of
    // ballots summed refuses them (the percentages would otherwise fall by two ballots).
    let mut record = base.clone();
    add_cancelling_blanks(&mut record);
    let verdict = tinnhiem::record::verify(&signed(&record, &forger), None);
    let failed: Vec<&str> = verdict.failures().iter().map(|c| c.name.as_str()).collect();
    assert!(
        failed.contains(&"decryptions"),
        "{failed:?}\n{}",
        verdict.report()
    );
    for holds in ["encrypted ballots", "ballot proofs", "sums"] {
        assert!(!failed.contains(&holds), "{holds}: {}", verdict.report());
    }
}

/// Adds to a committee record two blank ballots, B = Enc(0; r) and B' = Enc(0; −r) cell by
/// cell, with valid proofs and their own tracking codes, and counts them as cast.
fn add_cancelling_blanks(record: &mut Value) {
    use tinnhiem_crypto::ballot::{BallotContext, EncryptedBallot, Shape};
    use tinnhiem_crypto::elgamal::JointKey;
    use tinnhiem_crypto::{hex, Scalar};
    let unhex = |v: &Value| hex::decode(v.as_str().unwrap()).unwrap();
    let enc = &record["encryption"];
    let manifest: [u8; 32] = unhex(&enc["manifest_hash"]).try_into().unwrap();
    let joint = tinnhiem_crypto::group::decode_point(&unhex(&enc["committee"]["joint_key"]));
    let key = JointKey::new(joint.unwrap());
    let shape = Shape {
        rows: record["tally"]["results"].as_array().unwrap().len(),
        choices: 3,
    };
    let blank = vec![None; shape.rows];
    let mut rng = rand::rngs::OsRng;
    let context = |id: [u8; 16]| BallotContext {
        manifest_hash: manifest,
        key: &key,
        ballot_id: id,
    };
    let (first, opening) = EncryptedBallot::encrypt(&context([0xa1; 16]), shape, &blank, &mut rng);
    let negated: Vec<Vec<Scalar>> = opening
        .randomness
        .iter()
        .map(|row| row.iter().map(|r| -r).collect())
        .collect();
    let (second, _) =
        EncryptedBallot::encrypt_with(&context([0xa2; 16]), shape, &blank, &negated, &mut rng);
    let ballots = record["encryption"]["ballots"].as_array_mut().unwrap();
    for (ballot, id) in [(first, [0xa1u8; 16]), (second, [0xa2; 16])] {
        let compact = tinnhiem_crypto::compact::compact(&ballot.to_bytes(), shape).unwrap();
        ballots.push(json!({
            "tracking_code": hex::encode(&ballot.tracking_code(&manifest, &id)),
            "ballot_id": hex::encode(&id),
            "ballot": B64.encode(compact),
        }));
    }
    ballots.sort_by(|a, b| {
        a["tracking_code"]
            .as_str()
            .unwrap()
            .cmp(b["tracking_code"].as_str().unwrap())
    });
    let cast = record["tally"]["ballots_cast"].as_u64().unwrap();
    record["tally"]["ballots_cast"] = json!(cast + 2);
}

/// The server serves a committee vote's record (and tally) only while its database holds the
/// ballots and decryptions it was signed with.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_committee_vote_whose_stored_ballots_changed_is_not_served() {
    use diesel::prelude::*;
    use tinnhiem::db::schema::encrypted_ballots;
    let Published {
        app,
        council,
        vote_id,
        ..
    } = published_committee_vote().await;
    let mut conn = app.db.connect();
    let ids: Vec<String> = encrypted_ballots::table
        .filter(encrypted_ballots::vote_id.eq(&vote_id))
        .order(encrypted_ballots::id)
        .select(encrypted_ballots::id)
        .load(&mut conn)
        .unwrap();
    // One ballot's stored bytes replaced by another's.
    let other: String = encrypted_ballots::table
        .find(&ids[1])
        .select(encrypted_ballots::ballot)
        .first(&mut conn)
        .unwrap();
    diesel::update(encrypted_ballots::table.find(&ids[0]))
        .set(encrypted_ballots::ballot.eq(other))
        .execute(&mut conn)
        .unwrap();
    let detail = download(&app, &vote_id, Some(&council.chair), "")
        .await
        .problem(500, "record-integrity");
    assert!(detail.contains("encrypted ballots stored now"), "{detail}");
    let refused = app
        .get(&format!("/votes/{vote_id}/tally"), &council.chair)
        .await;
    assert_problem(refused, 500, "record-integrity");
}

/// A committee vote's ballots come a page at a time, every one exactly once, with the same
/// sums on every page; a page size or a cursor that is not one is refused and says why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_committee_votes_ballots_come_a_page_at_a_time() {
    let Published {
        app,
        council,
        vote_id,
        tracking_codes,
    } = published_committee_vote().await;
    let base = format!("/votes/{vote_id}/ballots");
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    let mut sums = None;
    loop {
        let path = match &after {
            Some(a) => format!("{base}?limit=3&after={a}"),
            None => format!("{base}?limit=3"),
        };
        let (status, page) = app.get(&path, &council.chair).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(page["ballots_cast"], 4);
        assert!(page["ballots"].as_array().unwrap().len() <= 3);
        match &sums {
            None => sums = Some(page["sums"].clone()),
            Some(s) => assert_eq!(s, &page["sums"]),
        }
        for b in page["ballots"].as_array().unwrap() {
            seen.push(b["tracking_code"].as_str().unwrap().to_owned());
        }
        match page["next"].as_str() {
            Some(next) => after = Some(next.to_owned()),
            None => break,
        }
    }
    seen.sort();
    let mut cast = tracking_codes.clone();
    cast.sort();
    assert_eq!(seen, cast, "every ballot once");
    for (query, says) in [
        ("?limit=0", "limit"),
        ("?limit=501", "limit"),
        ("?after=nope", "after"),
    ] {
        let refused = app.get(&format!("{base}{query}"), &council.chair).await;
        let problem = assert_problem(refused, 422, "validation-failed");
        assert!(
            problem["detail"].as_str().unwrap().contains(says),
            "{query}: {problem}"
        );
    }
    let unknown = app.get(&format!("{base}?page=2"), &council.chair).await;
    assert_problem(unknown, 400, "malformed-request");
}

/// A record whose decryptions were made before they named their list of ballots (no
/// `ballot_list_hash`, each proof's context without it) still verifies, and says so; the same
/// decryptions under a record naming a list do not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_made_before_decryptions_named_their_list_still_verifies() {
    use tinnhiem_crypto::group::{decode_point, decode_scalar};
    use tinnhiem_crypto::proofs::{Context, Equality};
    use tinnhiem_crypto::{hex, threshold};
    let Published {
        app,
        council,
        vote_id,
        ..
    } = published_committee_vote().await;
    let got = download(&app, &vote_id, Some(&council.chair), "").await;
    let mut record = record_of(&got.body);
    let forger = RecordKey::from_seed(&[6u8; 32]);
    record["signing_key"]["public_key"] = json!(forger.public_key());
    let manifest = hex::decode(record["encryption"]["manifest_hash"].as_str().unwrap()).unwrap();
    let sums = record["encryption"]["sums"].clone();
    // Members 1 and 2 decrypt as the tools did before: the manifest, the position, the cell.
    let mut old = Vec::new();
    for position in [1u32, 2] {
        let file = app.dir.path().join(format!("share-{position}.json"));
        let state = ShareFile::load(&file, PASSPHRASE).unwrap().unwrap();
        let share = decode_scalar(&hex::decode(state.share.as_deref().unwrap()).unwrap()).unwrap();
        let summed = threshold::Summed {
            manifest_hash: &manifest,
            ballot_list: None,
        };
        let rows: Vec<Value> = sums
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
            .map(|(i, row)| {
                let cells: Vec<Value> = row
                    .as_array()
                    .unwrap()
                    .iter()
                    .enumerate()
                    .map(|(j, cell)| {
                        let alpha = &hex::decode(cell.as_str().unwrap()).unwrap()[..32];
                        let alpha = decode_point(alpha).unwrap();
                        let fields =
                            threshold::decryption_fields(summed, position, i as u32, j as u32);
                        let refs: Vec<&[u8]> = fields.iter().map(Vec::as_slice).collect();
                        let context = Context {
                            tag: b"partial-decryption",
                            fields: &refs,
                        };
                        let proof =
                            Equality::prove(&context, &share, &alpha, &mut rand::rngs::OsRng);
                        json!({
                            "partial": hex::encode(&(share * alpha).compress().to_bytes()),
                            "proof": hex::encode(&proof.to_bytes()),
                        })
                    })
                    .collect();
                json!(cells)
            })
            .collect();
        old.push(json!({"position": position, "shares": rows}));
    }
    record["encryption"]["decryptions"] = json!(old);
    let named = record.clone();
    record["encryption"]
        .as_object_mut()
        .unwrap()
        .remove("ballot_list_hash");
    let verdict = tinnhiem::record::verify(&signed(&record, &forger), None);
    assert!(verdict.valid(), "{}", verdict.report());
    let said = verdict.report();
    assert!(
        said.contains("made before decryptions named their list"),
        "{said}"
    );
    let verdict = tinnhiem::record::verify(&signed(&named, &forger), None);
    let failed: Vec<&str> = verdict.failures().iter().map(|c| c.name.as_str()).collect();
    assert!(failed.contains(&"decryptions"), "{}", verdict.report());
}

/// A member who has decrypted a vote's sums does not decrypt them again for another list of
/// ballots: after two blank ballots whose randomness cancels are added (every sum the same)
/// and the member's decryption is dropped, the member's tool refuses, so the server cannot
/// have the changed list decrypted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_does_not_decrypt_the_same_sums_again_for_another_list() {
    use diesel::prelude::*;
    use tinnhiem::db::schema::{encrypted_ballots, encrypted_sums, partial_decryptions};
    use tinnhiem_crypto::ballot::{BallotContext, EncryptedBallot, Shape};
    use tinnhiem_crypto::elgamal::JointKey;
    use tinnhiem_crypto::{hex, Scalar};
    let app = TestApp::spawn().await;
    let (council, vote) = open_committee_vote(&app, app.dir.path()).await;
    let vote_id = vote["id"].as_str().unwrap().to_owned();
    cast_encrypted(&app, &council, &vote_id, &CAST[..2]).await;
    let (status, _) = app
        .post_empty(&format!("/votes/{vote_id}/close"), &council.chair)
        .await;
    assert_eq!(status, StatusCode::OK);
    let first = member_decrypts(&app, &council, &vote_id, 1).await;
    assert_eq!(first, json!({"decrypted": 1, "published": false}));
    let member = app
        .token(&format!("k1-{}", &council.id[..8]), PASSWORD)
        .await;
    let (_, before) = app.get(&format!("/votes/{vote_id}/ballots"), &member).await;

    // The server adds B = Enc(0; r) and B' = Enc(0; −r) and forgets member 1's decryption.
    let sent: String;
    {
        let mut conn = app.db.connect();
        let unhex = |v: &Value| hex::decode(v.as_str().unwrap()).unwrap();
        let manifest: [u8; 32] = unhex(&before["manifest_hash"]).try_into().unwrap();
        let committee = format!("/committees/{}", vote["committee"]["id"].as_str().unwrap());
        let (_, committee) = app.get(&committee, &member).await;
        let joint = tinnhiem_crypto::group::decode_point(&unhex(&committee["joint_key"]));
        let key = JointKey::new(joint.unwrap());
        let shape = Shape {
            rows: 2,
            choices: 3,
        };
        let blank = vec![None; 2];
        let context = |id: [u8; 16]| BallotContext {
            manifest_hash: manifest,
            key: &key,
            ballot_id: id,
        };
        let mut rng = rand::rngs::OsRng;
        let (b1, opening) = EncryptedBallot::encrypt(&context([0xa1; 16]), shape, &blank, &mut rng);
        let negated: Vec<Vec<Scalar>> = opening
            .randomness
            .iter()
            .map(|row| row.iter().map(|r| -r).collect())
            .collect();
        let (b2, _) =
            EncryptedBallot::encrypt_with(&context([0xa2; 16]), shape, &blank, &negated, &mut rng);
        for (b, id) in [(b1, [0xa1u8; 16]), (b2, [0xa2; 16])] {
            diesel::insert_into(encrypted_ballots::table)
                .values((
                    encrypted_ballots::id.eq(hex::encode(&id)),
                    encrypted_ballots::vote_id.eq(&vote_id),
                    encrypted_ballots::ballot.eq(B64.encode(b.to_bytes())),
                    encrypted_ballots::cells_hash.eq(hex::encode(&b.cells_hash())),
                    encrypted_ballots::tracking_code
                        .eq(hex::encode(&b.tracking_code(&manifest, &id))),
                ))
                .execute(&mut conn)
                .unwrap();
        }
        diesel::update(encrypted_sums::table.find(&vote_id))
            .set(encrypted_sums::ballots.eq(4))
            .execute(&mut conn)
            .unwrap();
        let mine = partial_decryptions::table
            .filter(partial_decryptions::vote_id.eq(&vote_id))
            .filter(partial_decryptions::position.eq(1));
        sent = mine
            .select(partial_decryptions::shares)
            .first::<String>(&mut conn)
            .unwrap();
        diesel::delete(mine).execute(&mut conn).unwrap();
    }
    let (_, after) = app.get(&format!("/votes/{vote_id}/ballots"), &member).await;
    assert_eq!(before["sums"], after["sums"], "the sums are the same");
    assert_ne!(before["ballot_list_hash"], after["ballot_list_hash"]);
    let again = member_decrypts(&app, &council, &vote_id, 1).await;
    let refused = again["error"].as_str().unwrap_or_default();
    assert!(
        refused.contains("the same sums of another list of ballots"),
        "{again}"
    );
    // The decryption made for the first list, sent again, holds for no other.
    let shares: Value = serde_json::from_str(&sent).unwrap();
    let (status, body) = app
        .post(
            &format!("/votes/{vote_id}/decryptions"),
            &member,
            json!({ "shares": shares }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["detail"].as_str().unwrap().contains("does not hold"),
        "{body}"
    );
    let (_, now) = app.get(&format!("/votes/{vote_id}/ballots"), &member).await;
    assert_eq!(
        now["decrypted_by"],
        json!([]),
        "nothing decrypted for the new list"
    );
}
