//! The part of a committee vote's record that proves its count (docs/verifiable.md §13), as
//! the database holds it: the committee's ceremony, every ballot in the compact form, the sums
//! and the partial decryptions that made the tally.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use tinnhiem_crypto::ballot::{ballot_list_hash, Shape};
use tinnhiem_crypto::compact::compact;
use tinnhiem_crypto::hex;
use tinnhiem_crypto::transcript::PROTOCOL;

use super::visible::LoadedVote;
use crate::db::committees as committee_rows;
use crate::db::{encrypted, votes as vote_rows, DbConn};
use crate::record::model::{
    BallotsDigest, CommitteeKey, CommitteeSeat, DecryptionShare, EncryptedCount, RecordedBallot,
    RecordedDecryption, SealedValue,
};

/// What could not be read back as it was written, named by part.
pub struct Unreadable {
    pub part: &'static str,
    pub why: String,
}

fn unreadable(part: &'static str, why: impl ToString) -> Unreadable {
    Unreadable {
        part,
        why: why.to_string(),
    }
}

pub enum Error {
    Db(diesel::result::Error),
    Unreadable(Unreadable),
}

impl From<diesel::result::Error> for Error {
    fn from(e: diesel::result::Error) -> Error {
        Error::Db(e)
    }
}

impl From<Unreadable> for Error {
    fn from(e: Unreadable) -> Error {
        Error::Unreadable(e)
    }
}

/// Whether to list the ballots in the count built, or only to digest them.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Ballots {
    /// Every ballot, as the record signed at publication holds them.
    List,
    /// None listed: their [`BallotsDigest`], read a page at a time, to compare with a record
    /// already verified without holding every ballot twice.
    Digest,
}

/// Ballots read at once while digesting.
const PAGE: i64 = 100;

/// The encrypted count of a committee vote whose tally is published, and the digest of its
/// ballots (listed or not).
pub fn build(
    conn: &mut DbConn,
    vote: &LoadedVote,
    ballots: Ballots,
) -> Result<(EncryptedCount, [u8; 32]), Error> {
    let row = &vote.row;
    let committee_id = row
        .committee_id
        .clone()
        .ok_or_else(|| unreadable("committee", "a committee vote without its committee"))?;
    let committee = committee_rows::find(conn, &committee_id)?
        .ok_or_else(|| unreadable("committee", "the vote's committee is missing"))?;
    let seats = committee_rows::seats(conn, &committee_id)?;
    let list = |json: &Option<String>| -> Result<Vec<String>, Unreadable> {
        serde_json::from_str(json.as_deref().unwrap_or("null"))
            .map_err(|e| unreadable("committee", e))
    };
    let mut members = Vec::new();
    for (seat, full_name) in &seats {
        let text = |v: &Option<String>| {
            v.clone()
                .ok_or_else(|| unreadable("committee", "a seat of a made key is incomplete"))
        };
        members.push(CommitteeSeat {
            position: seat.position as u32,
            full_name: full_name.clone(),
            sealing_key: text(&seat.sealing_key)?,
            sealing_proof: text(&seat.sealing_proof)?,
            commitment_hash: text(&seat.commitment_hash)?,
            commitments: list(&seat.commitments)?,
            proofs: list(&seat.proofs)?,
            confirmation: text(&seat.confirmation)?,
        });
    }
    // Every member confirmed the same hash (the server checked each against what it holds).
    let confirmed = members
        .first()
        .map(|m| m.confirmation.clone())
        .unwrap_or_default();
    let sealed = committee_rows::sealed(conn, &committee_id)?
        .into_iter()
        .map(|s| SealedValue {
            sender: s.sender as u32,
            recipient: s.recipient as u32,
            sealed: s.sealed,
        })
        .collect();
    let shape = Shape {
        rows: vote_rows::subject_ids_of(conn, &row.id)?.len(),
        choices: vote.kind.choices().len(),
    };
    // Read by tracking code, the record's order: nothing here says when a ballot came.
    let mut listed = Vec::new();
    let mut codes = Vec::new();
    let mut digest = BallotsDigest::default();
    let mut after: Option<String> = None;
    loop {
        let page = encrypted::page_of(
            conn,
            &row.id,
            encrypted::PageOrder::TrackingCode,
            after.as_deref(),
            PAGE,
        )?;
        let last = page.len() < PAGE as usize;
        after = page.last().map(|b| b.tracking_code.clone());
        for b in page {
            let full = BASE64
                .decode(b.ballot.as_bytes())
                .map_err(|e| unreadable("encrypted ballots", e))?;
            let short = compact(&full, shape)
                .ok_or_else(|| unreadable("encrypted ballots", "a ballot of another shape"))?;
            codes.push(
                hex::decode(&b.tracking_code)
                    .and_then(|c| <[u8; 32]>::try_from(c).ok())
                    .ok_or_else(|| unreadable("encrypted ballots", "a tracking code"))?,
            );
            let recorded = RecordedBallot {
                tracking_code: b.tracking_code,
                ballot_id: b.id,
                ballot: BASE64.encode(short),
            };
            digest.add(
                &recorded.tracking_code,
                &recorded.ballot_id,
                &recorded.ballot,
            );
            if ballots == Ballots::List {
                listed.push(recorded);
            }
        }
        if last {
            break;
        }
    }
    let (_, sums) = encrypted::sums_of(conn, &row.id)?
        .ok_or_else(|| unreadable("sums", "a closed committee vote has no sums"))?;
    let sums = serde_json::from_str(&sums).map_err(|e| unreadable("sums", e))?;
    let decryptions = encrypted::partials_of(conn, &row.id)?
        .into_iter()
        .map(|(position, shares)| {
            let shares: Vec<Vec<DecryptionShare>> =
                serde_json::from_str(&shares).map_err(|e| unreadable("decryptions", e))?;
            Ok(RecordedDecryption {
                position: position as u32,
                shares,
            })
        })
        .collect::<Result<Vec<_>, Unreadable>>()?;
    let manifest_hash = row
        .manifest_hash
        .clone()
        .ok_or_else(|| unreadable("vote", "a committee vote without its manifest"))?;
    let manifest: [u8; 32] = hex::decode(&manifest_hash)
        .and_then(|m| m.try_into().ok())
        .ok_or_else(|| unreadable("vote", "a manifest hash that is not 32 bytes"))?;
    let count = EncryptedCount {
        protocol: String::from_utf8_lossy(PROTOCOL).into_owned(),
        manifest_hash,
        committee: CommitteeKey {
            id: committee.id,
            threshold: committee.threshold as u32,
            members,
            sealed,
            ceremony_hash: confirmed,
            joint_key: committee
                .joint_key
                .ok_or_else(|| unreadable("committee", "a committee without its key"))?,
        },
        ballots: listed,
        sums,
        decryptions,
        ballot_list_hash: Some(hex::encode(&ballot_list_hash(&manifest, &codes))),
    };
    Ok((count, digest.finish()))
}
