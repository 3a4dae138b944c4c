//! The JSON shapes of API.md: what clients send and what they get back.

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use std::fmt;
use utoipa::ToSchema;

use crate::domain::{
    CommitteeState, Outcome, PercentBase, Role, Secrecy, Step, VoteKind, VoteState,
};

/// RFC 3339, UTC, milliseconds: `2026-11-27T07:15:07.123Z`.
pub fn rfc3339(t: chrono::NaiveDateTime) -> String {
    t.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the token expires.
    pub expires_in: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub id: String,
    pub username: String,
    pub full_name: String,
    /// Null for an admin.
    pub council_id: Option<String>,
    pub roles: Vec<Role>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCouncil {
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// Tổng số đại biểu: at least 1.
    #[schema(minimum = 1, maximum = 10000)]
    pub seats: i64,
    /// The council above this one (a province above its districts), whose supervisors read
    /// this council's votes and published tallies. Optional.
    #[serde(default)]
    pub parent_id: Option<String>,
}

/// The council above a council, set or removed (null) by the admin.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetParent {
    /// An existing council other than this one and not below it; null for none.
    pub parent_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Council {
    pub id: String,
    pub name: String,
    pub seats: i32,
    pub created_at: String,
    /// The council above this one; null for none.
    pub parent_id: Option<String>,
}

/// A council below the supervisor's, with the progress of each of its votes: what its
/// supervisors may read, and nothing that reveals a ballot or an unpublished count.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChildCouncil {
    pub id: String,
    pub name: String,
    pub seats: i32,
    /// Oldest first.
    pub votes: Vec<VoteProgress>,
}

/// A vote's state and turnout, and whether its tally is published.
#[derive(Debug, Serialize, ToSchema)]
pub struct VoteProgress {
    pub id: String,
    pub title: String,
    pub kind: VoteKind,
    pub state: VoteState,
    /// Delegates fixed at open; null in draft.
    pub eligible: Option<i64>,
    pub ballots_cast: i64,
    pub opened_at: Option<String>,
    pub closed_at: Option<String>,
    /// Whether the tally is published (readable with `GET /votes/{vote_id}/tally`).
    pub tally_published: bool,
    /// Whether the chair has made the tally public.
    pub public: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMember {
    /// No spaces.
    #[schema(min_length = 1, max_length = 64)]
    pub username: String,
    #[schema(min_length = 1, max_length = 200)]
    pub full_name: String,
    /// At least 8 characters.
    #[schema(min_length = 8, max_length = 256)]
    pub password: String,
    /// Any of `delegate`, `chair`, `auditor`, `supervisor`; at least one.
    #[schema(min_items = 1)]
    pub roles: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Member {
    pub id: String,
    pub username: String,
    pub full_name: String,
    pub roles: Vec<Role>,
    /// False once deactivated: the member can neither sign in nor act.
    pub active: bool,
}

/// A new password set by an admin; the member's existing sign-ins end.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetPassword {
    /// At least 8 characters.
    #[schema(min_length = 8, max_length = 256)]
    pub password: String,
}

/// The member's council roles, replacing the ones held.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetRoles {
    /// Any of `delegate`, `chair`, `auditor`, `supervisor`; at least one.
    #[schema(min_items = 1)]
    pub roles: Vec<String>,
}

/// A member changing their own password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    pub current_password: String,
    /// At least 8 characters.
    #[schema(min_length = 8, max_length = 256)]
    pub new_password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResult {
    /// Members created (every line of the file).
    pub created: usize,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSubject {
    #[schema(min_length = 1, max_length = 200)]
    pub full_name: String,
    /// Every position the person holds; at least one, at most 20, each at most 300 characters.
    #[schema(min_items = 1, max_items = 20)]
    pub positions: Vec<String>,
}

/// A person the vote does not rate, and why (Resolution 96/2023/QH15 Art. 2(5)): elected or
/// approved in the year of the vote, or whose retirement has been announced. Never on a ballot.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Exempt {
    #[schema(min_length = 1, max_length = 200)]
    pub full_name: String,
    /// At least one, at most 20, each at most 300 characters.
    #[schema(min_items = 1, max_items = 20)]
    pub positions: Vec<String>,
    /// Why the person is not rated, e.g. "Được bầu trong năm 2026", "Đã có thông báo nghỉ hưu".
    #[schema(min_length = 1, max_length = 500)]
    pub reason: String,
}

/// A draft vote's whole subject list, replacing the one it has.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "subjects": [
        {"full_name": "Nguyễn Văn An", "positions": ["Chủ tịch HĐND tỉnh"]},
        {"full_name": "Bùi Thị Lan", "positions": ["Ủy viên UBND tỉnh", "Giám đốc Sở Tài chính"]}
    ],
    "exempt": [
        {"full_name": "Trần Văn Hưu", "positions": ["Phó Chủ tịch UBND tỉnh"],
         "reason": "Đã có thông báo nghỉ hưu"}
    ]
}))]
pub struct SetSubjects {
    /// In ballot order; one entry per person, as in vote creation.
    #[schema(min_items = 1, max_items = 500)]
    pub subjects: Vec<NewSubject>,
    /// The people not rated, replacing the vote's list; left out, the list stays as it is.
    #[serde(default)]
    #[schema(max_items = 500)]
    pub exempt: Option<Vec<Exempt>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewVote {
    #[schema(min_length = 1, max_length = 300)]
    pub title: String,
    /// `rating` or `confidence`.
    pub kind: String,
    /// `ballots` (default) or `seats`.
    #[serde(default)]
    pub percent_base: Option<String>,
    /// In ballot order; one entry per person.
    #[schema(min_items = 1, max_items = 500)]
    pub subjects: Vec<NewSubject>,
    /// `server` (the default) or `committee`: ballots encrypted under the counting
    /// committee's key (docs/verifiable.md).
    #[serde(default)]
    pub secrecy: Option<String>,
    /// The counting committee of a committee vote.
    #[serde(default)]
    pub committee: Option<NewCommittee>,
    /// The people not rated and why (Art. 2(5)); none by default. Nobody may be both here and
    /// in `subjects`.
    #[serde(default)]
    #[schema(max_items = 500)]
    pub exempt: Option<Vec<Exempt>>,
}

/// The counting committee (Ban kiểm phiếu) of a committee vote: members of the council holding
/// `auditor`, and how many of them must work together to decrypt (a majority by default). A
/// committee of the same members and threshold that the council already has, and whose key
/// has not failed, is used again: one key ceremony serves every vote of the sitting.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCommittee {
    /// Member ids, each once.
    #[schema(min_items = 1, max_items = 50)]
    pub members: Vec<String>,
    #[serde(default)]
    pub threshold: Option<u32>,
}

/// A vote's committee, as the Vote shape names it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VoteCommittee {
    pub id: String,
    /// Member ids, in their positions' order.
    pub members: Vec<String>,
    pub threshold: u32,
    pub state: CommitteeState,
}

/// A committee and its key ceremony: everything its members published, and the values they
/// sent each other, sealed to the recipient. Hex throughout (docs/verifiable.md).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Committee {
    pub id: String,
    pub council_id: String,
    pub threshold: u32,
    pub size: u32,
    pub state: CommitteeState,
    /// The ceremony's current step.
    pub step: Step,
    /// Once every member confirmed the ceremony.
    pub joint_key: Option<String>,
    /// Once every sealed value is in: the hash each member confirms.
    pub ceremony_hash: Option<String>,
    /// Why the ceremony failed, naming the members whose values did not check.
    pub failure: Option<String>,
    pub members: Vec<CommitteeSeat>,
    pub sealed: Vec<SealedValue>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CommitteeSeat {
    /// 1 to size: the member's index in the threshold scheme.
    pub position: u32,
    pub member_id: String,
    pub full_name: String,
    pub sealing_key: Option<String>,
    pub sealing_proof: Option<String>,
    pub commitment_hash: Option<String>,
    pub commitments: Option<Vec<String>>,
    pub proofs: Option<Vec<String>>,
    /// The ceremony hash this member confirmed.
    pub confirmation: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SealedValue {
    pub sender: u32,
    pub recipient: u32,
    /// R ‖ masked value (64 bytes, hex).
    pub sealed: String,
}

/// Step `join`: a key to receive sealed values, its proof, and the hash of one's commitments.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JoinCeremony {
    pub sealing_key: String,
    pub sealing_proof: String,
    pub commitment_hash: String,
}

/// Step `reveal`: the commitments and their proofs of knowledge, which must hash to what was
/// published at `join`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevealCommitments {
    pub commitments: Vec<String>,
    pub proofs: Vec<String>,
}

/// Step `share`: one sealed value for every other member.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendShares {
    pub sealed: Vec<SealedTo>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SealedTo {
    pub recipient: u32,
    pub sealed: String,
}

/// Step `confirm`: the ceremony hash as this member computed it, or the positions of the
/// members whose values failed this member's check.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmCeremony {
    #[serde(default)]
    pub ceremony_hash: Option<String>,
    #[serde(default)]
    pub complaints: Vec<u32>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Subject {
    pub id: String,
    pub full_name: String,
    pub positions: Vec<String>,
    /// 1-based row on the ballot.
    pub order: i32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Vote {
    pub id: String,
    pub council_id: String,
    pub title: String,
    pub kind: VoteKind,
    pub percent_base: PercentBase,
    pub state: VoteState,
    pub subjects: Vec<Subject>,
    /// Delegates fixed at open; null in draft.
    pub eligible: Option<i64>,
    pub ballots_cast: i64,
    pub opened_at: Option<String>,
    pub closed_at: Option<String>,
    pub secrecy: Secrecy,
    /// The counting committee, in a committee vote; null otherwise.
    pub committee: Option<VoteCommittee>,
    /// In a follow-up confidence vote: the rating vote it follows; null otherwise.
    pub follow_up_of: Option<String>,
    /// In a rating vote: its follow-up confidence vote, once created; null otherwise.
    pub follow_up: Option<String>,
    /// Whether the chair has made the published tally public (no sign-in needed to read it).
    pub public: bool,
    /// When the tally was made public; null while it is not.
    pub public_at: Option<String>,
    /// The people not rated and why, in the order given; never on the ballot.
    pub exempt: Vec<Exempt>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Ballot {
    pub vote_id: String,
    pub title: String,
    pub kind: VoteKind,
    /// The choices of every row, e.g. `["high","medium","low"]`.
    pub choices: Vec<&'static str>,
    pub subjects: Vec<Subject>,
    /// Whether this delegate's ballot is already in.
    pub cast: bool,
    pub secrecy: Secrecy,
    /// In a committee vote, until the ballot is cast: what the tablet encrypts under.
    pub encryption: Option<Encryption>,
}

/// What a tablet needs to encrypt a committee vote's ballot (docs/verifiable.md §5).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Encryption {
    /// `tinnhiem-verifiable/1`
    pub protocol: String,
    /// Issued to this delegate for this one cast (16 bytes, hex); every proof is bound to it.
    pub ballot_id: String,
    /// The vote as it opened (32 bytes, hex).
    pub manifest_hash: String,
    /// The counting committee's joint key (hex).
    pub joint_key: String,
    /// Cells per row: the number of choices.
    pub choices: u32,
}

/// `{"marks": {"<subject_id>": "<choice>"}}`, a subject left out (or null) being blank; or, in
/// a committee vote, `{"encrypted": {"ballot_id", "ballot"}}` and never marks.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CastRequest {
    #[serde(default)]
    #[schema(value_type = Option<std::collections::HashMap<String, Option<String>>>)]
    pub marks: Option<MarksInput>,
    #[serde(default)]
    pub encrypted: Option<EncryptedCast>,
}

/// A closed committee vote's ciphertexts: every cast ballot, and each cell's sum over them,
/// which is all the committee decrypts (docs/verifiable.md §7).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EncryptedBallots {
    pub vote_id: String,
    pub manifest_hash: String,
    pub ballots_cast: u32,
    /// This page's ballots, by ballot id.
    pub ballots: Vec<StoredBallot>,
    /// The `after` of the next page; `null` on the last.
    pub next: Option<String>,
    /// Row by row, each cell's α ‖ β summed over every ballot (hex).
    pub sums: Vec<Vec<String>>,
    /// The hash of the list of every ballot's tracking code (docs/verifiable.md §12), hex: what
    /// each partial decryption is bound to. A member computes it from the ballots they checked
    /// and decrypts only when it is this one.
    pub ballot_list_hash: String,
    /// The positions of the members whose partial decryptions are in.
    pub decrypted_by: Vec<u32>,
}

/// Which page of a committee vote's ballots: those whose ids follow `after`, at most `limit`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BallotPage {
    /// The `next` of the page before; none for the first page.
    pub after: Option<String>,
    /// Ballots per page: 1 to 500, 100 by default.
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct StoredBallot {
    pub ballot_id: String,
    /// base64
    pub ballot: String,
    pub tracking_code: String,
}

/// A committee member's partial decryption of every cell's sum: row by row, cell by cell.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartialDecryption {
    pub shares: Vec<Vec<DecryptionShare>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecryptionShare {
    /// M = z·A (hex).
    pub partial: String,
    /// The equality proof a ‖ b ‖ v (hex).
    pub proof: String,
}

/// How far the decryption of a closed committee vote is.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DecryptionProgress {
    /// Members whose partial decryptions are in.
    pub decrypted: u32,
    pub threshold: u32,
    /// Whether the tally is published.
    pub published: bool,
}

/// A committee vote's ballot, encrypted on the tablet.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EncryptedCast {
    /// The ballot id issued with the ballot (hex).
    pub ballot_id: String,
    /// The encrypted ballot's bytes (docs/verifiable.md §5.2), base64.
    pub ballot: String,
}

/// The marks exactly as sent, repeated keys included, so that a row marked twice is refused
/// rather than silently keeping the last mark.
#[derive(Debug)]
pub struct MarksInput(pub Vec<(String, Option<String>)>);

impl<'de> Deserialize<'de> for MarksInput {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MarksVisitor;
        impl<'de> Visitor<'de> for MarksVisitor {
            type Value = MarksInput;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of subject ids to choices")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<MarksInput, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<String, Option<String>>()? {
                    entries.push(entry);
                }
                Ok(MarksInput(entries))
            }
        }
        deserializer.deserialize_map(MarksVisitor)
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CastResponse {
    pub cast: bool,
    /// In a committee vote: the ballot's tracking code (hex), to find in the record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tracking_code: Option<String>,
}

/// A tracking code found among a committee vote's counted ballots.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrackingCodeFound {
    /// Always true: a code not counted is a 404.
    pub counted: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
}

/// The published result of a closed vote.
#[derive(Debug, Serialize, ToSchema)]
pub struct Tally {
    pub vote_id: String,
    pub council_id: String,
    pub title: String,
    pub kind: VoteKind,
    pub percent_base: PercentBase,
    /// Who could read the ballots: the server as they were counted, or no one (the committee
    /// decrypted only the totals).
    pub secrecy: Secrecy,
    /// The number percentages are taken of: ballots cast, or seats.
    pub base: u64,
    pub seats: i32,
    pub eligible: i64,
    pub ballots_cast: i64,
    pub opened_at: Option<String>,
    pub closed_at: Option<String>,
    /// In ballot order.
    pub results: Vec<SubjectTally>,
    /// The people not rated and why (Art. 2(5)), as the vote listed them. Absent from tallies
    /// published before exemptions were recorded.
    #[serde(default)]
    pub exempt: Vec<Exempt>,
}

/// A public tally, from `GET /public/councils/{council_id}/results`: the Tally as
/// `GET /votes/{vote_id}/tally` answers it, with the council's name.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicTally {
    pub council_name: String,
    #[serde(flatten)]
    pub tally: Tally,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SubjectTally {
    pub subject_id: String,
    pub full_name: String,
    pub positions: Vec<String>,
    /// Each choice by name, then `blank`.
    #[schema(value_type = std::collections::HashMap<String, u64>)]
    #[serde(serialize_with = "ordered_map")]
    pub counts: Vec<(&'static str, u64)>,
    /// Keyed like `counts`; strings with exactly two decimals, e.g. `"47.61"`.
    #[schema(value_type = std::collections::HashMap<String, String>)]
    #[serde(serialize_with = "ordered_map")]
    pub percents: Vec<(&'static str, String)>,
    pub outcome: Outcome,
}

/// A JSON object whose keys keep the order given (choice order, then blank).
fn ordered_map<V: Serialize, S: Serializer>(
    entries: &[(&'static str, V)],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let mut map = serializer.serialize_map(Some(entries.len()))?;
    for (k, v) in entries {
        map.serialize_entry(k, v)?;
    }
    map.end()
}

/// The installation's record signing key.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicKey {
    /// Always `ed25519`.
    pub algorithm: &'static str,
    /// Base64 of the 32-byte Ed25519 public key.
    pub public_key: String,
}

/// Every key that has signed this installation's records.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicKeys {
    /// The current key first, then earlier ones, the most recent first.
    pub keys: Vec<KnownPublicKey>,
}

/// One key of the history of signing keys.
#[derive(Debug, Serialize, ToSchema)]
pub struct KnownPublicKey {
    /// Always `ed25519`.
    pub algorithm: &'static str,
    /// Base64 of the 32-byte Ed25519 public key.
    pub public_key: String,
    /// Whether it signs the records of votes closed now.
    pub current: bool,
    /// When the installation first started with it (RFC 3339, UTC), if known.
    pub since: Option<String>,
}

/// A signed record, as downloaded (docs/auditing.md gives every field and how to verify it).
#[derive(Debug, Serialize, ToSchema)]
pub struct SignedRecord {
    /// Always `ed25519`.
    pub algorithm: String,
    /// Lower-case hex SHA-256 of the record in canonical JSON (RFC 8785).
    pub digest: String,
    /// Base64 of the signing key, as `record.signing_key.public_key`.
    pub public_key: String,
    /// The record: council, vote, tally, electors, events (format `tinnhiem-record/2`: no
    /// ballots; records written as `tinnhiem-record/1` also list every ballot).
    #[schema(value_type = Object)]
    pub record: serde_json::Value,
    /// Base64 of the Ed25519 signature over the record's canonical JSON bytes.
    pub signature: String,
}
