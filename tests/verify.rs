//! `tinnhiem verify` on records changed in ways a first, independent verifier (written from
//! docs/auditing.md alone) let through: each edit is made to a real record, which is then signed
//! again with a valid key, so that only the rule it breaks can refuse it.
//!
//! Version 1 records come from `tests/fixtures/v1-record.json`: a record downloaded from a real
//! vote closed by the service before version 2, signed by the key whose seed is [`V1_SEED`]
//! (the same vote's rows are in `tests/fixtures/v1-closed-vote.sql`).

use crate::common::*;
use crate::records::{cast_and_close, download, rating_ballots, run_verify, write};
use base64::Engine;
use serde_json::{json, Value};
use sha2::Digest;
use tinnhiem::record::chain::{Event, GENESIS};
use tinnhiem::record::{canonical, key::RecordKey, model::envelope_bytes};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// The seed of the key that signed the version 1 fixture (a test key, not a secret).
pub(crate) const V1_SEED: [u8; 32] = [0x31; 32];

/// The downloaded version 1 record, as the service served it.
pub(crate) fn v1_download() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/v1-record.json"
    ))
    .expect("the version 1 fixture")
}

/// `record` signed by `key`, as a download: the envelope around its canonical bytes.
pub(crate) fn signed(record: &Value, key: &RecordKey) -> Vec<u8> {
    let body = canonical::to_canonical(record).expect("canonical record");
    let digest = format!("{:x}", sha2::Sha256::digest(body.as_bytes()));
    envelope_bytes(
        &body,
        &digest,
        record["signing_key"]["public_key"]
            .as_str()
            .unwrap_or_default(),
        &key.sign(body.as_bytes()),
    )
    .into_bytes()
}

/// Recomputes every event's `prev` and `hash` after an edit, as a forger would.
pub(crate) fn rehash_events(record: &mut Value) {
    let mut events: Vec<Event> = serde_json::from_value(record["events"].clone()).unwrap();
    let mut prev = GENESIS.to_owned();
    for e in &mut events {
        e.prev = prev.clone();
        e.hash = e.compute_hash();
        prev = e.hash.clone();
    }
    record["events"] = serde_json::to_value(events).unwrap();
}

/// Sets one of the vote's times everywhere the record repeats it (vote, tally, event), and
/// rehashes the events: a consistent edit.
pub(crate) fn set_time(record: &mut Value, field: &str, text: &str) {
    record["vote"][field] = json!(text);
    if field != "created_at" {
        record["tally"][field] = json!(text);
    }
    let event = match field {
        "created_at" => 0,
        "opened_at" => 1,
        _ => 2,
    };
    record["events"][event]["at"] = json!(text);
    rehash_events(record);
}

/// The names of the checks that failed, from `tinnhiem verify`'s report.
pub(crate) fn failed(report: &str) -> Vec<String> {
    report
        .lines()
        .filter_map(|l| l.trim().strip_prefix("[FAIL] "))
        .map(|l| l.split(':').next().unwrap_or_default().to_owned())
        .collect()
}

/// An edit a first verifier accepted, and the check that must now refuse it.
pub(crate) struct Gap {
    pub name: &'static str,
    pub edit: fn(&mut Value),
    pub refused_by: &'static str,
}

/// The gaps, for records of either version.
pub(crate) fn gaps() -> Vec<Gap> {
    vec![
        Gap {
            name: "an extra member inside a result",
            edit: |r| r["tally"]["results"][0]["note"] = json!("counted again by hand"),
            refused_by: "structure",
        },
        Gap {
            name: "the same username twice within one electors list",
            edit: |r| {
                let first = r["electors"]["cast"][0]["username"].clone();
                r["electors"]["cast"][1]["username"] = first;
            },
            refused_by: "electors",
        },
        Gap {
            name: "two results with the same subject_id",
            edit: |r| {
                let first = r["tally"]["results"][0]["subject_id"].clone();
                r["tally"]["results"][1]["subject_id"] = first;
            },
            refused_by: "subjects",
        },
        Gap {
            name: "a record closed before it opened",
            edit: |r| {
                let opened = r["vote"]["opened_at"].as_str().unwrap();
                let opened = chrono::DateTime::parse_from_rfc3339(opened).unwrap();
                let before = (opened - chrono::TimeDelta::milliseconds(1))
                    .with_timezone(&chrono::Utc)
                    .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
                set_time(r, "closed_at", &before);
            },
            refused_by: "times",
        },
        Gap {
            name: "a time with an offset instead of Z (the same instant)",
            edit: |r| {
                let created = r["vote"]["created_at"].as_str().unwrap();
                let created = chrono::DateTime::parse_from_rfc3339(created).unwrap();
                let offset = chrono::FixedOffset::east_opt(7 * 3600).unwrap();
                let local = created
                    .with_timezone(&offset)
                    .to_rfc3339_opts(chrono::SecondsFormat::Millis, false);
                set_time(r, "created_at", &local);
            },
            refused_by: "times",
        },
        Gap {
            name: "a time without milliseconds",
            edit: |r| {
                let opened = r["vote"]["opened_at"].as_str().unwrap();
                let seconds = format!("{}Z", &opened[..19]);
                set_time(r, "opened_at", &seconds);
            },
            refused_by: "times",
        },
        Gap {
            name: "a time that is no instant (the 31st of November)",
            edit: |r| {
                let created = r["vote"]["created_at"].as_str().unwrap();
                let odd = format!("2026-11-31{}", &created[10..]);
                set_time(r, "created_at", &odd);
            },
            refused_by: "times",
        },
        Gap {
            name: "signing_key.algorithm other than ed25519",
            edit: |r| r["signing_key"]["algorithm"] = json!("ed448"),
            refused_by: "algorithm",
        },
    ]
}

/// Each gap applied to `record`, signed again by `key`, must fail exactly its check under
/// `--public-key` of that key. The record unchanged, signed again, must pass.
pub(crate) fn assert_gaps_refused(record: &Value, key: &RecordKey, label: &str) {
    let dir = tempfile::tempdir().unwrap();
    let public = key.public_key();
    let control = write(dir.path(), "control.json", &signed(record, key));
    let (code, out) = run_verify(&[&control, "--public-key", &public]);
    assert_eq!(code, 0, "{label}: the unchanged record: {out}");
    for (i, gap) in gaps().into_iter().enumerate() {
        let mut edited = record.clone();
        (gap.edit)(&mut edited);
        assert_ne!(&edited, record, "{label}: {} changed nothing", gap.name);
        let file = write(dir.path(), &format!("gap-{i}.json"), &signed(&edited, key));
        let (code, out) = run_verify(&[&file, "--public-key", &public]);
        assert_eq!(code, 1, "{label}: {} must be refused: {out}", gap.name);
        assert!(
            out.contains("[ok  ] signature"),
            "{label}: {}: signed with a valid key: {out}",
            gap.name
        );
        assert_eq!(
            failed(&out),
            [gap.refused_by],
            "{label}: {} must be refused by \"{}\" alone: {out}",
            gap.name,
            gap.refused_by
        );
    }
}

#[test]
fn a_version_1_record_verifies_as_it_always_did() {
    let dir = tempfile::tempdir().unwrap();
    let download = v1_download();
    let key = RecordKey::from_seed(&V1_SEED);
    let file = write(dir.path(), "v1.json", &download);
    let (code, out) = run_verify(&[&file, "--public-key", &key.public_key()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("[ok  ] format: tinnhiem-record/1"), "{out}");
    assert!(out.contains("[ok  ] ballot order"), "{out}");
    assert!(out.contains("[ok  ] subject 4"), "{out}");
    // Signing it again gives the same bytes: Ed25519 is deterministic.
    let envelope: Value = serde_json::from_slice(&download).unwrap();
    assert_eq!(signed(&envelope["record"], &key), download);

    // Edits are named, as before.
    let original = envelope["record"].clone();
    let check = |name: &str, record: &Value, resign: bool, expect: &[&str]| {
        let bytes = if resign {
            signed(record, &key)
        } else {
            let mut envelope = envelope.clone();
            envelope["record"] = record.clone();
            serde_json::to_vec_pretty(&envelope).unwrap()
        };
        let path = write(dir.path(), name, &bytes);
        let (code, out) = run_verify(&[&path, "--public-key", &key.public_key()]);
        assert_eq!(code, 1, "{name}: {out}");
        for what in expect {
            assert!(
                out.contains(&format!("[FAIL] {what}")),
                "{name}: {what}: {out}"
            );
        }
        out
    };
    let mut edited = original.clone();
    edited["ballots"][0] = json!("hhll");
    let out = check(
        "ballot.json",
        &edited,
        false,
        &["digest", "signature", "subject 4"],
    );
    assert!(out.contains("the ballots give"), "{out}");
    let mut edited = original.clone();
    edited["ballots"].as_array_mut().unwrap().pop();
    check("fewer.json", &edited, true, &["turnout", "base"]);
    let mut edited = original.clone();
    edited["ballots"].as_array_mut().unwrap().swap(0, 1);
    check("order.json", &edited, true, &["ballot order"]);
    let mut edited = original.clone();
    edited["tally"]["results"][1]["outcome"] = json!("may_resign");
    check("outcome.json", &edited, true, &["subject 2"]);
    // Version 1 has no place for the members of version 2.
    let mut edited = original.clone();
    edited["vote"]["secrecy"] = json!("server");
    check("v1-secrecy.json", &edited, true, &["format"]);
    let mut edited = original.clone();
    edited["format"] = json!("tinnhiem-record/2");
    check("v1-as-v2.json", &edited, true, &["format"]);
}

#[test]
fn version_1_records_with_the_gaps_are_refused() {
    let envelope: Value = serde_json::from_slice(&v1_download()).unwrap();
    assert_gaps_refused(
        &envelope["record"],
        &RecordKey::from_seed(&V1_SEED),
        "version 1",
    );
}

#[tokio::test]
async fn version_2_records_with_the_gaps_are_refused() {
    let seed = [0x52u8; 32];
    let app = TestApp::spawn_with(|c| {
        c.signing_key = tinnhiem::record::key::SeedText(Some(B64.encode(seed)));
    })
    .await;
    let council = app.council(20, 4).await;
    let vote = app.vote(&council, "rating", 3, None).await;
    cast_and_close(&app, &council, &vote, &rating_ballots()).await;
    let got = download(
        &app,
        vote["id"].as_str().unwrap(),
        Some(&council.auditor),
        "",
    )
    .await;
    let envelope = got.json();
    assert_eq!(envelope["record"]["format"], "tinnhiem-record/2");
    let key = RecordKey::from_seed(&seed);
    assert_eq!(signed(&envelope["record"], &key), got.body);
    assert_gaps_refused(&envelope["record"], &key, "version 2");

    // A version 2 record whose secrecy is not the server's is not one this verifier reads.
    let dir = tempfile::tempdir().unwrap();
    let mut record = envelope["record"].clone();
    record["vote"]["secrecy"] = json!("committee");
    let file = write(dir.path(), "committee.json", &signed(&record, &key));
    let (code, out) = run_verify(&[&file, "--public-key", &key.public_key()]);
    assert_eq!(code, 1, "{out}");
    assert_eq!(failed(&out), ["format"], "{out}");
}

/// The public key that verifies every message: the identity point (order 1), with R the
/// identity and S = 0. Python's `cryptography` accepts this signature on any bytes.
const IDENTITY: [u8; 32] = {
    let mut b = [0u8; 32];
    b[0] = 1;
    b
};

/// ℓ, the order of the Ed25519 base point, little-endian.
const ORDER: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

#[test]
fn keys_and_signatures_of_the_weak_forms_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let envelope: Value = serde_json::from_slice(&v1_download()).unwrap();
    let key = RecordKey::from_seed(&V1_SEED);
    let public = key.public_key();

    // A key file naming another algorithm is not a key this verifier can use.
    let file = write(dir.path(), "v1.json", &v1_download());
    for algorithm in ["ed448", "Ed25519", ""] {
        let key_file = write(
            dir.path(),
            "key.json",
            json!({"algorithm": algorithm, "public_key": public})
                .to_string()
                .as_bytes(),
        );
        let (code, out) = run_verify(&[&file, "--public-key", &key_file]);
        assert_eq!(code, 2, "{algorithm}: {out}");
        assert!(out.contains("ed25519"), "{out}");
    }

    // A small-order key under which one signature verifies every record.
    let mut record = envelope["record"].clone();
    let identity = B64.encode(IDENTITY);
    record["signing_key"]["public_key"] = json!(identity);
    record["tally"]["results"][1]["counts"]["low"] = json!(0);
    let body = canonical::to_canonical(&record).unwrap();
    let digest = format!("{:x}", sha2::Sha256::digest(body.as_bytes()));
    let mut universal = [0u8; 64];
    universal[0] = 1;
    let forged = envelope_bytes(&body, &digest, &identity, &B64.encode(universal));
    let forged = write(dir.path(), "small-order.json", forged.as_bytes());
    let (code, out) = run_verify(&[&forged]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("[FAIL] public key") && out.contains("small order"),
        "{out}"
    );
    assert!(!out.contains("[ok  ] signature"), "{out}");
    let (code, out) = run_verify(&[&forged, "--public-key", &identity]);
    assert_eq!(code, 2, "a small-order key is not accepted as given: {out}");

    // A signature whose S is not reduced (S + ℓ): the same equation holds, but it is a second
    // signature on the same bytes, which strict verification refuses.
    let record = envelope["record"].clone();
    let body = canonical::to_canonical(&record).unwrap();
    let signature = B64.decode(key.sign(body.as_bytes())).unwrap();
    let mut s = [0u8; 32];
    s.copy_from_slice(&signature[32..]);
    let mut carry = 0u16;
    for (byte, add) in s.iter_mut().zip(ORDER) {
        let sum = u16::from(*byte) + u16::from(add) + carry;
        *byte = sum as u8;
        carry = sum >> 8;
    }
    assert_eq!(carry, 0, "S + ℓ fits in 32 bytes");
    let mut malleated = signature.clone();
    malleated[32..].copy_from_slice(&s);
    let digest = format!("{:x}", sha2::Sha256::digest(body.as_bytes()));
    let bytes = envelope_bytes(&body, &digest, &public, &B64.encode(&malleated));
    let file = write(dir.path(), "malleated.json", bytes.as_bytes());
    let (code, out) = run_verify(&[&file, "--public-key", &public]);
    assert_eq!(code, 1, "{out}");
    assert_eq!(failed(&out), ["signature"], "{out}");
}

/// The order of the electors' lists is informational: a record whose names fall outside the
/// alphabet the order is given in, or whose lists are in another order, is not refused for it.
#[tokio::test]
async fn the_order_of_the_electors_never_refuses_a_record() {
    let dir = tempfile::tempdir().unwrap();
    // A genuine record from a council whose delegates' names use letters and signs outside
    // the Vietnamese alphabet.
    let seed = [0x63u8; 32];
    let app = TestApp::spawn_with(|c| {
        c.signing_key = tinnhiem::record::key::SeedText(Some(B64.encode(seed)));
    })
    .await;
    let council = app.council(9, 1).await;
    let names = [
        "H'Hen Niê",
        "Y Biêr Niê",
        "Zoë Lê",
        "Ksor H'Bia",
        "Đinh Văn 2",
        "Ông Ích Ẻ",
    ];
    let rows: Vec<(String, String, String)> = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            (
                format!("x{i}-{}", &council.id[..8]),
                n.to_string(),
                "delegate".into(),
            )
        })
        .collect();
    let (status, body) = app.import(&council.admin, &council.id, &rows).await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{body}");
    let mut voters = council;
    for (u, _, _) in &rows {
        voters.delegates.push(app.token(u, PASSWORD).await);
    }
    let vote = app.vote(&voters, "confidence", 2, None).await;
    let ballots: Vec<Vec<Option<&str>>> = (0..7)
        .map(|i| {
            vec![
                Some(if i % 3 == 0 {
                    "no_confidence"
                } else {
                    "confidence"
                }),
                (i % 2 == 0).then_some("confidence"),
            ]
        })
        .collect();
    cast_and_close(&app, &voters, &vote, &ballots).await;
    let got = download(
        &app,
        vote["id"].as_str().unwrap(),
        Some(&voters.auditor),
        "",
    )
    .await;
    let key = RecordKey::from_seed(&seed);
    let file = write(dir.path(), "names.json", &got.body);
    let (code, out) = run_verify(&[&file, "--public-key", &key.public_key()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("in the service's alphabetical order"), "{out}");
    let genuine = got.json();
    let listed: Vec<&str> = genuine["record"]["electors"]["cast"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["full_name"].as_str().unwrap())
        .collect();
    for name in names {
        assert!(listed.contains(&name), "{name} in {listed:?}");
    }

    // The same lists in reverse, signed again: still valid, and said to be out of order.
    for (label, mut record) in [
        ("version 2", got.json()["record"].clone()),
        (
            "version 1",
            serde_json::from_slice::<Value>(&v1_download()).unwrap()["record"].clone(),
        ),
    ] {
        let key = if label == "version 2" {
            RecordKey::from_seed(&seed)
        } else {
            RecordKey::from_seed(&V1_SEED)
        };
        record["electors"]["cast"].as_array_mut().unwrap().reverse();
        let file = write(dir.path(), "reversed.json", &signed(&record, &key));
        let (code, out) = run_verify(&[&file, "--public-key", &key.public_key()]);
        assert_eq!(code, 0, "{label}: {out}");
        assert!(out.contains("informational only"), "{label}: {out}");
    }
}
