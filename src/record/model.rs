//! The record of a closed vote and the signed envelope it travels in (docs/auditing.md).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

use super::chain::Event;

/// The first format: the record lists every ballot whole. Still read and verified; no longer
/// written.
pub const FORMAT_V1: &str = "tinnhiem-record/1";
/// The format every record is now written in: no ballot, only each subject's counts.
pub const FORMAT_V2: &str = "tinnhiem-record/2";
/// The format of the records this code writes.
pub const FORMAT: &str = FORMAT_V2;
/// `vote.secrecy` of a version 2 record of a vote whose ballots the server counted.
pub const SERVER_SECRECY: &str = "server";
/// `vote.secrecy` of a version 2 record of a vote whose ballots only its counting committee
/// could decrypt, and only in total: the record carries [`Record::encryption`].
pub const COMMITTEE_SECRECY: &str = "committee";
/// The only signature algorithm.
pub const ALGORITHM: &str = "ed25519";

/// Everything an auditor needs to check a closed vote's result and history.
///
/// Version 2 ([`FORMAT_V2`]) holds each subject's counts (in the tally) and never a ballot:
/// a list of whole ballots, even sorted, lets a coercer dictate a rare combination of marks
/// and find it. Version 1 ([`FORMAT_V1`]) also listed every ballot (`ballot_codes`,
/// `ballots`); records written then are still read and verified as they were signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    /// [`FORMAT_V2`], or [`FORMAT_V1`] for a record written before it.
    pub format: String,
    /// The key whose signature the envelope carries.
    pub signing_key: KeyInfo,
    pub council: CouncilInfo,
    pub vote: VoteInfo,
    /// The tally exactly as `GET /votes/{id}/tally` shows it.
    pub tally: RecordTally,
    /// Version 1 only: what each character of a ballot string means, for this vote's kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ballot_codes: Option<BTreeMap<String, String>>,
    /// Version 1 only: every cast ballot, one character per subject in ballot order, sorted
    /// as strings (byte order).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ballots: Option<Vec<String>>,
    /// Version 2 of a committee vote only: everything that proves its count from the record
    /// alone (docs/verifiable.md §13).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption: Option<EncryptedCount>,
    pub electors: Electors,
    /// created, opened, closed: a hash chain.
    pub events: Vec<Event>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyInfo {
    /// [`ALGORITHM`].
    pub algorithm: String,
    /// Base64 (standard alphabet, padded) of the 32-byte Ed25519 public key.
    pub public_key: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CouncilInfo {
    pub id: String,
    pub name: String,
    pub seats: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoteInfo {
    pub id: String,
    pub title: String,
    /// `rating` or `confidence`.
    pub kind: String,
    /// `ballots` or `seats`.
    pub percent_base: String,
    /// Version 2: [`SERVER_SECRECY`] for a vote whose ballots the server counted. Absent in
    /// version 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secrecy: Option<String>,
    pub created_at: String,
    pub opened_at: String,
    pub closed_at: String,
    /// In a follow-up confidence vote: the id of the rating vote it follows. (A rating vote's
    /// record cannot name its follow-up: it is signed at its close, before the follow-up
    /// exists, and never changes.) Absent otherwise, and in records signed before it was
    /// written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up_of: Option<String>,
}

/// A committee vote's count as its record proves it: the committee's key and how it was made,
/// every cast ballot encrypted with its proofs, the sums of each cell, and each member's
/// partial decryption of the sums. Binary values are lowercase hex, but each ballot (base64).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EncryptedCount {
    /// `tinnhiem-verifiable/1`.
    pub protocol: String,
    pub manifest_hash: String,
    pub committee: CommitteeKey,
    /// Every cast ballot, in the compact form, ordered by tracking code.
    pub ballots: Vec<RecordedBallot>,
    /// Each cell's sum over every ballot, row by row: α ‖ β.
    pub sums: Vec<Vec<String>>,
    /// The partial decryptions that made the tally, by position.
    pub decryptions: Vec<RecordedDecryption>,
    /// The hash of the list of `ballots` (docs/verifiable.md §12), which every partial
    /// decryption's proof is bound to; absent from records whose decryptions were made before
    /// they were bound to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ballot_list_hash: Option<String>,
}

/// The counting committee and everything its members published in the key ceremony.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitteeKey {
    pub id: String,
    pub threshold: u32,
    /// By position, 1 to n.
    pub members: Vec<CommitteeSeat>,
    /// Every value a member sealed to another, by sender, then recipient.
    pub sealed: Vec<SealedValue>,
    pub ceremony_hash: String,
    pub joint_key: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitteeSeat {
    pub position: u32,
    pub full_name: String,
    pub sealing_key: String,
    pub sealing_proof: String,
    pub commitment_hash: String,
    pub commitments: Vec<String>,
    pub proofs: Vec<String>,
    /// The ceremony hash the member confirmed.
    pub confirmation: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SealedValue {
    pub sender: u32,
    pub recipient: u32,
    pub sealed: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordedBallot {
    pub tracking_code: String,
    pub ballot_id: String,
    /// Base64 of the compact form (docs/verifiable.md §5.6).
    pub ballot: String,
}

/// SHA-256 over a list of recorded ballots, each as its tracking code, id and ballot, each
/// framed by its length: what a record's ballots and those a database holds are compared by,
/// without holding either list whole.
#[derive(Default)]
pub struct BallotsDigest(sha2::Sha256);

impl BallotsDigest {
    pub fn add(&mut self, tracking_code: &str, ballot_id: &str, ballot: &str) {
        use sha2::Digest;
        for part in [tracking_code, ballot_id, ballot] {
            self.0.update((part.len() as u64).to_be_bytes());
            self.0.update(part.as_bytes());
        }
    }

    pub fn of(ballots: &[RecordedBallot]) -> [u8; 32] {
        let mut digest = BallotsDigest::default();
        for b in ballots {
            digest.add(&b.tracking_code, &b.ballot_id, &b.ballot);
        }
        digest.finish()
    }

    pub fn finish(self) -> [u8; 32] {
        use sha2::Digest;
        self.0.finalize().into()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordedDecryption {
    pub position: u32,
    /// Row by row, one per cell: M = z·A and its proof.
    pub shares: Vec<Vec<DecryptionShare>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecryptionShare {
    pub partial: String,
    pub proof: String,
}

/// The eligible delegates, by whether they cast: names only, each list in Vietnamese
/// alphabetical order of full name, then by username ([`Person::order`]). Nothing links a name
/// to a ballot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Electors {
    pub cast: Vec<Person>,
    pub not_cast: Vec<Person>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    pub full_name: String,
    pub username: String,
}

impl Person {
    /// The order of the lists: full names in Vietnamese alphabetical order
    /// ([`crate::domain::names`]), then usernames by code point.
    pub fn order(a: &Person, b: &Person) -> std::cmp::Ordering {
        crate::domain::names::compare(&a.full_name, &b.full_name)
            .then_with(|| a.username.cmp(&b.username))
    }
}

/// The published tally (API.md, "Tally"). Members this version does not know are kept as they
/// are, so a field added to the tally later stays in the record and under its signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordTally {
    pub vote_id: String,
    pub council_id: String,
    pub title: String,
    pub kind: String,
    pub percent_base: String,
    pub base: u64,
    pub seats: i64,
    pub eligible: u64,
    pub ballots_cast: u64,
    pub opened_at: Option<String>,
    pub closed_at: Option<String>,
    pub results: Vec<SubjectResult>,
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// A person the vote did not rate, and why, as the tally's `exempt` lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExemptPerson {
    pub full_name: String,
    pub positions: Vec<String>,
    pub reason: String,
}

impl RecordTally {
    /// The tally's people not rated: none when the tally has no `exempt` (published before
    /// exemptions were recorded), an error when it has one of another shape.
    pub fn exempt(&self) -> Result<Vec<ExemptPerson>, String> {
        match self.other.get("exempt") {
            None => Ok(Vec::new()),
            Some(v) => serde_json::from_value(v.clone()).map_err(|e| {
                format!("tally.exempt is not a list of {{full_name, positions, reason}}: {e}")
            }),
        }
    }
}

/// Whether two full names name one person, as the service compares them when a vote is
/// created: trimmed, in lower case.
pub fn same_person(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// One subject's result: exactly these members. A member no verifier knows could carry
/// anything under the signature (a count by another rule, a note), so none is accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubjectResult {
    pub subject_id: String,
    pub full_name: String,
    pub positions: Vec<String>,
    /// Each choice by name, then `blank`.
    pub counts: BTreeMap<String, u64>,
    /// Keyed like `counts`: strings with exactly two decimals.
    pub percents: BTreeMap<String, String>,
    pub outcome: String,
}

/// What `GET /votes/{id}/record?format=json` returns: the record and its signature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Envelope {
    /// [`ALGORITHM`].
    pub algorithm: String,
    /// Lower-case hex SHA-256 of the canonical record.
    pub digest: String,
    /// Base64 of the signing key (the same as `record.signing_key.public_key`).
    pub public_key: String,
    pub record: Value,
    /// Base64 of the 64-byte Ed25519 signature over the canonical record.
    pub signature: String,
}

/// The envelope's bytes around `canonical_record`, kept verbatim. The envelope is itself in
/// canonical form (its member names are in order and the other values need no escaping), so
/// the record's signed bytes appear in the download exactly as signed.
pub fn envelope_bytes(
    canonical_record: &str,
    digest: &str,
    public_key: &str,
    signature: &str,
) -> String {
    envelope_around(canonical_record.to_owned(), digest, public_key, signature)
}

/// [`envelope_bytes`] made in the record's own buffer: a committee vote's record is tens of
/// megabytes, and a download then holds it once, not twice.
pub fn envelope_around(
    canonical_record: String,
    digest: &str,
    public_key: &str,
    signature: &str,
) -> String {
    let before = format!(
        "{{\"algorithm\":\"{ALGORITHM}\",\"digest\":\"{digest}\",\"public_key\":\"{public_key}\",\
         \"record\":"
    );
    let after = format!(",\"signature\":\"{signature}\"}}");
    let mut out = canonical_record;
    out.reserve_exact(before.len() + after.len());
    out.insert_str(0, &before);
    out.push_str(&after);
    out
}

/// The documented form of every time in a record: RFC 3339 in UTC with exactly three decimals
/// of a second and `Z`, e.g. `2026-11-27T08:09:36.920Z`, naming a real instant.
pub fn utc_millis(text: &str) -> Option<chrono::NaiveDateTime> {
    const FORM: &[u8; 24] = b"0000-00-00T00:00:00.000Z";
    let bytes = text.as_bytes();
    if bytes.len() != FORM.len() {
        return None;
    }
    let shaped = bytes.iter().zip(FORM).all(|(b, f)| match f {
        b'0' => b.is_ascii_digit(),
        _ => b == f,
    });
    if !shaped {
        return None;
    }
    let t = chrono::NaiveDateTime::parse_from_str(&text[..23], "%Y-%m-%dT%H:%M:%S%.3f").ok()?;
    // Written back, it must be the same text: no leap second, no out-of-range field.
    let again = t
        .and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    (again == text).then_some(t)
}
