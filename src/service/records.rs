//! The record of a closed vote: its event log is written with each step of the vote, the record
//! is built and signed in the transaction that closes it, and it is served only after checking
//! that it still matches its signature and everything the database holds about the vote.

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

use super::committee_record;
use super::record_cache::{Verified, VerifiedRecords};
use super::visible::{self, LoadedVote};
use super::Caller;
use crate::db::records::{self as rows, EventRow};
use crate::db::{ballots, councils, DbConn};
use crate::domain::{Role, Secrecy, VoteState};
use crate::error::{AppError, AppResult, Problem};
use crate::record::chain::{hex, Actor, Event, EventKind};
use crate::record::encrypted::Depth;
use crate::record::key::SigningKeys;
use crate::record::model::{
    envelope_around, BallotsDigest, CouncilInfo, Electors, KeyInfo, Person, Record, RecordTally,
    VoteInfo, ALGORITHM, COMMITTEE_SECRECY, FORMAT, FORMAT_V1, SERVER_SECRECY,
};
use crate::record::verify::verify_stored_body;
use crate::record::{canonical, RecordKey};
use crate::shapes::rfc3339;

/// Appends the next event of the vote's log, hashed onto the one before. Called inside the
/// transaction that makes the change it records.
pub fn log_event(
    conn: &mut DbConn,
    vote_id: &str,
    kind: EventKind,
    at: chrono::NaiveDateTime,
    caller: &Caller,
    count: u64,
) -> AppResult<()> {
    let previous = match rows::events_of(conn, vote_id)?.pop() {
        Some(row) => Some(event_of(row).map_err(|e| {
            AppError::internal(format_args!("the event log of vote {vote_id}: {e}"))
        })?),
        None => None,
    };
    let m = &caller.member;
    let event = Event::next(
        previous.as_ref(),
        vote_id,
        kind,
        rfc3339(at),
        Actor {
            id: m.id.clone(),
            username: m.username.clone(),
            full_name: m.full_name.clone(),
        },
        count,
    );
    let row = EventRow {
        vote_id: vote_id.to_owned(),
        seq: i32::try_from(event.seq).map_err(AppError::internal)?,
        kind: kind.as_str().to_owned(),
        occurred_at: at,
        actor_id: event.actor.id,
        actor_username: event.actor.username,
        actor_full_name: event.actor.full_name,
        counts: serde_json::to_string(&event.counts).map_err(AppError::internal)?,
        prev_hash: event.prev,
        hash: event.hash,
    };
    rows::insert_event(conn, &row)?;
    Ok(())
}

fn event_of(row: EventRow) -> Result<Event, String> {
    Ok(Event {
        seq: u64::try_from(row.seq).map_err(|_| format!("event seq {} is negative", row.seq))?,
        event: EventKind::parse(&row.kind)
            .ok_or_else(|| format!("event kind {:?} is not known", row.kind))?,
        vote_id: row.vote_id,
        at: rfc3339(row.occurred_at),
        actor: Actor {
            id: row.actor_id,
            username: row.actor_username,
            full_name: row.actor_full_name,
        },
        counts: serde_json::from_str(&row.counts)
            .map_err(|e| format!("event {} counts: {e}", row.seq))?,
        prev: row.prev_hash,
        hash: row.hash,
    })
}

/// Why a record could not be built from the database.
enum BuildError {
    Db(AppError),
    /// A part of the vote's data that does not read as it was written.
    Unreadable {
        part: &'static str,
        why: String,
    },
}

impl From<diesel::result::Error> for BuildError {
    fn from(e: diesel::result::Error) -> BuildError {
        BuildError::Db(e.into())
    }
}

impl From<AppError> for BuildError {
    fn from(e: AppError) -> BuildError {
        BuildError::Db(e)
    }
}

fn unreadable(part: &'static str, why: impl ToString) -> BuildError {
    BuildError::Unreadable {
        part,
        why: why.to_string(),
    }
}

/// A closed vote as the database holds it now: its record, and the counts kept in place of its
/// ballots (subject id → choice or `blank` → number).
struct Built {
    record: Record,
    counts: BTreeMap<String, BTreeMap<String, u64>>,
    /// A committee vote's encrypted ballots, digested.
    ballots: Option<[u8; 32]>,
}

/// The record of a closed vote as the database holds it now, with the counts kept in place of
/// its ballots. The close signs the record; each download builds it again and compares.
fn build(
    conn: &mut DbConn,
    vote: &LoadedVote,
    public_key: &str,
    ballots: committee_record::Ballots,
) -> Result<Built, BuildError> {
    let row = &vote.row;
    let council = councils::find(conn, &row.council_id)?
        .ok_or_else(|| unreadable("council", "the vote's council is missing"))?;
    let (opened_at, closed_at) = match (row.opened_at, row.closed_at) {
        (Some(o), Some(c)) => (rfc3339(o), rfc3339(c)),
        _ => return Err(unreadable("vote", "a closed vote without its times")),
    };
    let tally_text = ballots::tally_of(conn, &row.id)?
        .ok_or_else(|| unreadable("tally", "no tally is stored"))?;
    let tally: RecordTally =
        serde_json::from_str(&tally_text).map_err(|e| unreadable("tally", e))?;
    let mut cast = Vec::new();
    let mut not_cast = Vec::new();
    for (full_name, username, has_cast) in rows::electors_named(conn, &row.id)? {
        let person = Person {
            full_name,
            username,
        };
        if has_cast {
            cast.push(person);
        } else {
            not_cast.push(person);
        }
    }
    // Each name's key computed once: a council's list is sorted at every close and download.
    let by_name = |p: &Person| {
        (
            crate::domain::names::sort_key(&p.full_name),
            p.username.clone(),
        )
    };
    cast.sort_by_cached_key(by_name);
    not_cast.sort_by_cached_key(by_name);
    let events = rows::events_of(conn, &row.id)?
        .into_iter()
        .map(event_of)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| unreadable("events", e))?;
    let mut counts: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    for c in ballots::counts_of(conn, &row.id)? {
        let total = u64::try_from(c.total).map_err(|_| unreadable("counts", "a negative count"))?;
        counts
            .entry(c.subject_id)
            .or_default()
            .insert(c.choice, total);
    }
    let (encryption, ballots) = match vote.secrecy {
        Secrecy::Server => (None, None),
        Secrecy::Committee => {
            let (count, digest) =
                committee_record::build(conn, vote, ballots).map_err(|e| match e {
                    committee_record::Error::Db(e) => BuildError::Db(e.into()),
                    committee_record::Error::Unreadable(u) => BuildError::Unreadable {
                        part: u.part,
                        why: u.why,
                    },
                })?;
            (Some(count), Some(digest))
        }
    };
    let record = Record {
        format: FORMAT.to_owned(),
        signing_key: KeyInfo {
            algorithm: ALGORITHM.to_owned(),
            public_key: public_key.to_owned(),
        },
        council: CouncilInfo {
            id: council.id,
            name: council.name,
            seats: i64::from(council.seats),
        },
        vote: VoteInfo {
            id: row.id.clone(),
            title: row.title.clone(),
            kind: vote.kind.as_str().to_owned(),
            percent_base: vote.percent_base.as_str().to_owned(),
            secrecy: Some(
                match vote.secrecy {
                    Secrecy::Server => SERVER_SECRECY,
                    Secrecy::Committee => COMMITTEE_SECRECY,
                }
                .to_owned(),
            ),
            created_at: rfc3339(row.created_at),
            opened_at,
            closed_at,
            follow_up_of: row.follow_up_of.clone(),
        },
        tally,
        ballot_codes: None,
        ballots: None,
        encryption,
        electors: Electors { cast, not_cast },
        events,
    };
    Ok(Built {
        record,
        counts,
        ballots,
    })
}

/// Builds, signs and stores the record of the vote being closed: in the closing transaction,
/// after the tally and the "closed" event.
pub fn seal(conn: &mut DbConn, vote: &LoadedVote, key: &RecordKey) -> AppResult<()> {
    let Built { record, .. } = build(
        conn,
        vote,
        &key.public_key(),
        committee_record::Ballots::List,
    )
    .map_err(|e| match e {
        BuildError::Db(e) => e,
        BuildError::Unreadable { part, why } => {
            AppError::internal(format_args!("building the record, {part}: {why}"))
        }
    })?;
    // A committee vote's ballots, most of its bytes, go straight into the text.
    let mut record = record;
    let ballots = record
        .encryption
        .as_mut()
        .map(|count| std::mem::take(&mut count.ballots));
    let value = serde_json::to_value(&record).map_err(AppError::internal)?;
    let body = match ballots {
        Some(ballots) => {
            canonical::to_canonical_with_list(&value, ["encryption", "ballots"], ballots)
        }
        None => canonical::to_canonical(&value),
    }
    .map_err(AppError::internal)?;
    let signature = key.sign(body.as_bytes());
    rows::insert_record(conn, &vote.row.id, &body, &signature)?;
    Ok(())
}

/// A record checked and ready to serve.
pub struct Served {
    /// The stored canonical record.
    body: String,
    /// The record (a committee vote's without its encrypted ballots, which only the
    /// [`Served::into_envelope`] carries).
    pub record: Record,
    pub digest: String,
    pub signature: String,
}

impl Served {
    /// The download: `{"algorithm","digest","public_key","record","signature"}`, the record's
    /// stored bytes verbatim inside.
    pub fn into_envelope(self) -> String {
        envelope_around(
            self.body,
            &self.digest,
            &self.record.signing_key.public_key,
            &self.signature,
        )
    }
}

fn integrity(vote_id: &str, what: &[String]) -> AppError {
    AppError::new(
        Problem::RecordIntegrity,
        format!(
            "The signed record of vote {vote_id} does not match {}. It was not served: the \
             record, or the data it was made from, was changed after the vote closed. The \
             operator should compare the database with a backup taken after the close \
             (docs/auditing.md).",
            what.join("; ")
        ),
    )
}

/// The vote whose record the caller asks for, if they may have it: its council's auditors and
/// chairs, and admins (404 for other councils, 403 for other roles).
pub fn allowed(conn: &mut DbConn, caller: &Caller, vote_id: &str) -> AppResult<LoadedVote> {
    let vote = visible::load_visible(conn, caller, vote_id)?;
    caller.require(
        &[Role::Auditor, Role::Chair, Role::Admin],
        "download records",
    )?;
    Ok(vote)
}

/// The signed record of a closed vote, after checking that it still matches its signature by
/// the key it names, one of this installation's signing keys (the current one or an earlier
/// one in its history), that its counts, percentages and outcomes follow the rules, and
/// that the tally, the counts kept in place of the ballots, the electors and the event log in
/// the database are still those it was made from.
pub fn checked(conn: &mut DbConn, vote: &LoadedVote, check: &RecordCheck) -> AppResult<Served> {
    let (keys, verified) = (&check.keys, &check.verified);
    let vote_id = vote.row.id.as_str();
    if vote.state != VoteState::Closed {
        return Err(AppError::new(
            Problem::TallyNotPublished,
            format!(
                "The vote is {}; its record is written and signed when the chair closes it.",
                vote.state.as_str()
            ),
        ));
    }
    let Some((body, signature)) = rows::record_of(conn, vote_id)? else {
        if vote.secrecy == Secrecy::Committee {
            return Err(super::committees::awaiting_decryption());
        }
        return Err(integrity(
            vote_id,
            &["anything: no record was stored for it".to_owned()],
        ));
    };
    let digest = hex(&Sha256::digest(body.as_bytes()));
    let signed = match verified.get(vote_id, &digest, &signature) {
        Some(signed) => signed,
        None => verified.insert(
            vote_id,
            verify_stored(vote_id, &body, &digest, &signature, keys)?,
        ),
    };
    let now = match build(
        conn,
        vote,
        &signed.record.signing_key.public_key,
        committee_record::Ballots::Digest,
    ) {
        Ok(record) => record,
        Err(BuildError::Db(e)) => return Err(e),
        Err(BuildError::Unreadable { part, why: _ }) => {
            return Err(integrity(
                vote_id,
                &[format!("the {part} stored now, which cannot be read")],
            ))
        }
    };
    let mut what = differences(&signed.record, &now);
    if signed.ballots != now.ballots {
        what.push("the encrypted ballots stored now".to_owned());
    }
    if !what.is_empty() {
        return Err(integrity(vote_id, &what));
    }
    Ok(Served {
        body,
        record: signed.record.clone(),
        digest,
        signature,
    })
}

/// What checks a stored record before it is served: the installation's signing keys, and the
/// records this process has already verified.
#[derive(Clone)]
pub struct RecordCheck {
    pub keys: SigningKeys,
    verified: VerifiedRecords,
}

impl RecordCheck {
    pub fn new(keys: SigningKeys) -> RecordCheck {
        RecordCheck {
            keys,
            verified: VerifiedRecords::default(),
        }
    }
}

/// Verifies the stored record with the installation's keys: a committee vote's to
/// [`Depth::WithoutBallots`], since each ballot's proofs were checked as it was cast and the
/// ballots stored are compared with the record on every download.
fn verify_stored(
    vote_id: &str,
    body: &str,
    digest: &str,
    signature: &str,
    keys: &SigningKeys,
) -> AppResult<Verified> {
    // Signed by the current key, or an earlier one for a record signed before the key was
    // changed: which keys are this installation's is the history's to say, not the record's.
    let verdict = verify_stored_body(
        body,
        signature,
        &keys.verifying_keys(),
        Depth::WithoutBallots,
    );
    let mut record = match (verdict.valid(), verdict.record) {
        (true, Some(record)) => record,
        (_, _) => {
            let failed: Vec<String> = verdict
                .checks
                .iter()
                .filter(|c| !c.ok)
                .map(|c| format!("its own check \"{}\"", c.name))
                .collect();
            return Err(integrity(vote_id, &failed));
        }
    };
    let ballots = record.encryption.as_mut().map(|count| {
        let digest = BallotsDigest::of(&count.ballots);
        count.ballots = Vec::new();
        digest
    });
    Ok(Verified {
        digest: digest.to_owned(),
        signature: signature.to_owned(),
        record,
        ballots,
    })
}

/// Which parts of the vote stored now differ from the signed record, named without content.
/// The signed record is already verified: its counts follow from its own ballots (version 1)
/// or add up (version 2), so comparing its tally's counts with those stored now recounts the
/// vote from what the database holds.
fn differences(signed: &Record, now: &Built) -> Vec<String> {
    let mut what = Vec::new();
    let built = &now.record;
    if signed.council != built.council {
        what.push("the council stored now".to_owned());
    }
    let mut vote = built.vote.clone();
    if signed.format == FORMAT_V1 {
        // Version 1 did not name the secrecy: every vote then was counted by the server.
        vote.secrecy = None;
    }
    if signed.vote.follow_up_of.is_none() {
        // Records signed before the record named the vote a follow-up follows do not.
        vote.follow_up_of = None;
    }
    if signed.vote != vote {
        what.push("the vote stored now".to_owned());
    }
    if signed.tally != built.tally {
        let subject = signed
            .tally
            .results
            .iter()
            .zip(&built.tally.results)
            .position(|(a, b)| a != b);
        what.push(match subject {
            Some(i) => format!("the tally stored now (subject {})", i + 1),
            None => "the tally stored now".to_owned(),
        });
    }
    let counted = signed
        .tally
        .results
        .iter()
        .position(|r| now.counts.get(&r.subject_id) != Some(&r.counts));
    let extra = now.counts.len() != signed.tally.results.len();
    match counted {
        Some(i) => what.push(format!("the counts stored now (subject {})", i + 1)),
        None if extra => what.push("the counts stored now (a subject not in the record)".into()),
        None => {}
    }
    let mut encryption = built.encryption.clone();
    if let (Some(signed), Some(built)) = (&signed.encryption, &mut encryption) {
        if signed.ballot_list_hash.is_none() {
            // Records whose decryptions were made before they named their list do not.
            built.ballot_list_hash = None;
        }
    }
    if signed.encryption != encryption {
        let (a, b) = (signed.encryption.as_ref(), encryption.as_ref());
        let part = match (a, b) {
            (Some(a), Some(b)) if a.decryptions != b.decryptions => {
                "the partial decryptions stored now"
            }
            (Some(a), Some(b)) if a.sums != b.sums => "the sums stored now",
            _ => "the committee and its key stored now",
        };
        what.push(part.to_owned());
    }
    if signed.electors != built.electors {
        what.push("the list of who cast stored now".to_owned());
    }
    if signed.events != built.events {
        let first = signed
            .events
            .iter()
            .zip(&built.events)
            .find(|(a, b)| a != b)
            .map(|(a, _)| format!("event {}, {}", a.seq, a.event.as_str()));
        what.push(match first {
            Some(event) => format!("the event log stored now ({event})"),
            None => format!(
                "the event log stored now ({} events signed, {} stored)",
                signed.events.len(),
                built.events.len()
            ),
        });
    }
    what
}
