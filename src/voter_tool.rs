//! A delegate's ballot encrypted outside the tablet: for a terminal, tests and the benchmark.
//! It does what the tablet does (docs/verifiable.md §5): encrypts each row's mark under the
//! committee's key, for the ballot id issued with the ballot, with every proof.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use rand_core::OsRng;
use serde_json::Value;
use std::collections::BTreeMap;
use tinnhiem_crypto::ballot::{
    manifest_hash, BallotContext, EncryptedBallot, Manifest, Opening, Shape,
};
use tinnhiem_crypto::elgamal::JointKey;
use tinnhiem_crypto::group::decode_nonidentity;
use tinnhiem_crypto::hex;

use crate::record::encrypted::check_committee;
use crate::record::model::{CommitteeKey, CommitteeSeat, SealedValue};
use crate::shapes::{Committee, EncryptedCast};

/// An encrypted ballot ready to cast, its tracking code, and what opens it (for a ballot the
/// delegate checks instead of casting; never keep it for a cast one).
pub struct Encrypted {
    pub cast: EncryptedCast,
    pub tracking_code: String,
    pub ballot: EncryptedBallot,
    pub opening: Opening,
}

/// What the delegate's own machine checks before it encrypts, trusting nothing the server
/// says: that the key is the one the counting committee made (every proof and hash of its
/// ceremony, and every member's confirmation of that hash), and that the ballot's manifest
/// names this vote, its subjects in ballot order, and that committee and key. `vote` is
/// `GET /votes/{id}`, `ballot` the ballot, `committee` `GET /committees/{id}`. Returns the
/// ceremony's fingerprint, which the committee's members read out in the hall: if the server
/// showed this machine another committee than theirs, the fingerprints differ.
pub fn check_encryption(
    vote: &Value,
    ballot: &Value,
    committee: &Committee,
) -> Result<String, String> {
    let seat = |s: &crate::shapes::CommitteeSeat| -> Option<CommitteeSeat> {
        Some(CommitteeSeat {
            position: s.position,
            full_name: s.full_name.clone(),
            sealing_key: s.sealing_key.clone()?,
            sealing_proof: s.sealing_proof.clone()?,
            commitment_hash: s.commitment_hash.clone()?,
            commitments: s.commitments.clone()?,
            proofs: s.proofs.clone()?,
            confirmation: s.confirmation.clone()?,
        })
    };
    let members = committee
        .members
        .iter()
        .map(seat)
        .collect::<Option<Vec<_>>>()
        .ok_or("the committee's key is not made yet")?;
    let ceremony_hash = members
        .first()
        .map(|m| m.confirmation.clone())
        .unwrap_or_default();
    let key = check_committee(&CommitteeKey {
        id: committee.id.clone(),
        threshold: committee.threshold,
        members,
        sealed: committee
            .sealed
            .iter()
            .map(|s| SealedValue {
                sender: s.sender,
                recipient: s.recipient,
                sealed: s.sealed.clone(),
            })
            .collect(),
        ceremony_hash: ceremony_hash.clone(),
        joint_key: committee.joint_key.clone().unwrap_or_default(),
    })
    .map_err(|e| format!("the committee's ceremony does not check: {e}"))?;
    let encryption = &ballot["encryption"];
    if encryption["joint_key"].as_str() != Some(hex::encode(&key.compress().to_bytes()).as_str()) {
        return Err("the ballot's key is not the one the committee made".into());
    }
    let text = |v: &Value, field: &str| {
        v[field]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("the vote has no {field}"))
    };
    if vote["committee"]["id"].as_str() != Some(committee.id.as_str()) {
        return Err("the vote names another committee".into());
    }
    let subject_ids: Vec<&str> = ballot["subjects"]
        .as_array()
        .ok_or("the ballot has no subjects")?
        .iter()
        .filter_map(|s| s["id"].as_str())
        .collect();
    let choices = ballot["choices"].as_array().map_or(0, Vec::len) as u32;
    let manifest = manifest_hash(&Manifest {
        vote_id: &text(vote, "id")?,
        council_id: &text(vote, "council_id")?,
        kind: &text(vote, "kind")?,
        choices,
        subject_ids: &subject_ids,
        committee_id: &committee.id,
        threshold: committee.threshold,
        size: committee.size,
        joint_key: &key,
    });
    if encryption["manifest_hash"].as_str() != Some(hex::encode(&manifest).as_str()) {
        return Err(
            "the ballot's manifest is not this vote's: its subjects, order or committee differ"
                .into(),
        );
    }
    Ok(crate::domain::committee::fingerprint(&ceremony_hash))
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
