//! A delegate's ballot encrypted outside the tablet: for a terminal, tests and the benchmark.
//! It does what the tablet does (docs/verifiable.md §5): encrypts each row's mark under the
//! committee's key, for the ballot id issued with the ballot, with every proof.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use rand_core::OsRng;
use serde_json::Value;
use std::collections::BTreeMap;
use tinnhiem_crypto::ballot::{BallotContext, EncryptedBallot, Opening, Shape};
use tinnhiem_crypto::elgamal::JointKey;
use tinnhiem_crypto::group::decode_nonidentity;
use tinnhiem_crypto::hex;

use crate::shapes::EncryptedCast;

/// An encrypted ballot ready to cast, its tracking code, and what opens it (for a ballot the
/// delegate checks instead of casting; never keep it for a cast one).
pub struct Encrypted {
    pub cast: EncryptedCast,
    pub tracking_code: String,
    pub ballot: EncryptedBallot,
    pub opening: Opening,
}

/// Encrypts `marks` (subject id → choice name; a subject left out is blank) for `ballot`, the
/// answer of GET /votes/{id}/ballot in a committee vote.
pub fn encrypt(ballot: &Value, marks: &BTreeMap<String, String>) -> Result<Encrypted, String> {
    let encryption = &ballot["encryption"];
    if encryption.is_null() {
        return Err(
            "this ballot has nothing to encrypt under (a server vote, or already cast)".into(),
        );
    }
    let text = |field: &str| {
        encryption[field]
            .as_str()
            .ok_or_else(|| format!("the ballot's encryption has no {field}"))
    };
    let bytes =
        |field: &str| hex::decode(text(field)?).ok_or_else(|| format!("{field} is not hex"));
    let ballot_id: [u8; 16] = bytes("ballot_id")?
        .try_into()
        .map_err(|_| "ballot_id is not 16 bytes".to_owned())?;
    let manifest_hash: [u8; 32] = bytes("manifest_hash")?
        .try_into()
        .map_err(|_| "manifest_hash is not 32 bytes".to_owned())?;
    let key = decode_nonidentity(&bytes("joint_key")?).map_err(|e| format!("joint_key {e}"))?;
    let choices: Vec<&str> = ballot["choices"]
        .as_array()
        .ok_or("the ballot has no choices")?
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let subjects: Vec<&str> = ballot["subjects"]
        .as_array()
        .ok_or("the ballot has no subjects")?
        .iter()
        .filter_map(|s| s["id"].as_str())
        .collect();
    for subject in marks.keys() {
        if !subjects.contains(&subject.as_str()) {
            return Err(format!("{subject} is not a subject of this ballot"));
        }
    }
    let rows = subjects
        .iter()
        .map(|id| match marks.get(*id) {
            None => Ok(None),
            Some(choice) => choices
                .iter()
                .position(|c| c == choice)
                .map(Some)
                .ok_or_else(|| format!("{choice} is not a choice of this ballot")),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let shape = Shape {
        rows: subjects.len(),
        choices: choices.len(),
    };
    let key = JointKey::new(key);
    let context = BallotContext {
        manifest_hash,
        key: &key,
        ballot_id,
    };
    let (encrypted, opening) = EncryptedBallot::encrypt(&context, shape, &rows, &mut OsRng);
    Ok(Encrypted {
        cast: EncryptedCast {
            ballot_id: hex::encode(&ballot_id),
            ballot: BASE64.encode(encrypted.to_bytes()),
        },
        tracking_code: hex::encode(&encrypted.tracking_code(&manifest_hash, &ballot_id)),
        ballot: encrypted,
        opening,
    })
}
