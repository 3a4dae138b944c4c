//! Checking a signed record without trusting the server that made it: the signature, then a
//! recount of every subject from the ballot list by the rules of DOMAIN.md, then the event
//! chain and the counts that must agree. Pure: bytes in, a verdict out.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use ed25519_dalek::VerifyingKey;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::canonical::{parse_strict, to_canonical};
use super::chain::{self, hex, EventKind};
use super::encrypted::{self, Depth};
use super::key::{check_signature, parse_public_key};
use super::model::utc_millis;
use super::model::{
    Envelope, Record, ALGORITHM, COMMITTEE_SECRECY, FORMAT_V1, FORMAT_V2, SERVER_SECRECY,
};
use crate::domain::{tally, Marks, PercentBase, Tally, VoteKind};

/// One thing checked, and what was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub name: String,
    pub ok: bool,
    pub detail: String,
}

/// Which key the signature was checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySource {
    /// The key the verifier was given: proves who signed.
    Given,
    /// The key the record names: proves only that nothing changed since it was signed.
    Embedded,
}

#[derive(Debug, Clone)]
pub struct Verdict {
    pub checks: Vec<Check>,
    pub key_source: KeySource,
    /// The record, when it could be read.
    pub record: Option<Record>,
    /// Hex SHA-256 of the canonical record, when it could be computed.
    pub digest: Option<String>,
}

impl Verdict {
    /// Every check passed (and there were checks).
    pub fn valid(&self) -> bool {
        !self.checks.is_empty() && self.checks.iter().all(|c| c.ok)
    }

    pub fn failures(&self) -> Vec<&Check> {
        self.checks.iter().filter(|c| !c.ok).collect()
    }

    /// The verdict for a person: what the record is, each check, and the conclusion.
    pub fn report(&self) -> String {
        let mut out = String::new();
        if let Some(r) = &self.record {
            let _ = writeln!(
                out,
                "Record of vote \"{}\" ({}) of {}, closed {}",
                r.vote.title, r.vote.id, r.council.name, r.vote.closed_at
            );
        }
        if let Some(d) = &self.digest {
            let _ = writeln!(out, "SHA-256 of the canonical record: {d}");
        }
        for c in &self.checks {
            let mark = if c.ok { "ok  " } else { "FAIL" };
            let _ = writeln!(out, "  [{mark}] {}: {}", c.name, c.detail);
        }
        let failures = self.failures();
        if self.valid() {
            let record = self.record.as_ref();
            let from = match (
                record.and_then(|r| r.ballots.as_ref()),
                record.and_then(|r| r.encryption.as_ref()),
            ) {
                (Some(_), _) => {
                    "every count, percentage and outcome follows from the ballots listed"
                }
                (None, Some(_)) => {
                    "every encrypted ballot's proofs hold, the committee's decryption of their \
                     sums gives the counts, and every percentage and outcome follows from them"
                }
                (None, None) => {
                    "every subject's counts add up to the ballots cast, and every percentage \
                     and outcome follows from them"
                }
            };
            let _ = writeln!(out, "VALID: the signature holds and {from}.");
            if self.key_source == KeySource::Embedded {
                let _ = writeln!(
                    out,
                    "NOTE: the signature was checked against the key written in the record itself. \
                     That proves the record was not changed after it was signed, not who signed \
                     it: pass --public-key with the keys the installation publishes \
                     (GET /api/v1/public-keys) to check its origin."
                );
            }
        } else {
            let names: Vec<&str> = failures.iter().map(|c| c.name.as_str()).collect();
            let _ = writeln!(
                out,
                "INVALID: {} check{} failed: {}.",
                failures.len(),
                if failures.len() == 1 { "" } else { "s" },
                names.join(", ")
            );
        }
        out
    }
}

pub(super) struct Checks(Vec<Check>);

impl Checks {
    pub(super) fn add(&mut self, name: impl Into<String>, result: Result<String, String>) -> bool {
        let ok = result.is_ok();
        let detail = result.unwrap_or_else(|e| e);
        self.0.push(Check {
            name: name.into(),
            ok,
            detail,
        });
        ok
    }
}

/// Verifies a downloaded record (the JSON envelope). With `trusted`, the record must name one
/// of those keys (an installation's current key and its earlier ones) and be signed by it;
/// without it, by the key the record names (integrity only).
pub fn verify(bytes: &[u8], trusted: Option<&[VerifyingKey]>) -> Verdict {
    verify_to(bytes, trusted, Depth::Full)
}

/// [`verify`], checking a committee vote's encrypted count to `depth`.
pub fn verify_to(bytes: &[u8], trusted: Option<&[VerifyingKey]>, depth: Depth) -> Verdict {
    let mut checks = Checks(Vec::new());
    let key_source = if trusted.is_some() {
        KeySource::Given
    } else {
        KeySource::Embedded
    };
    let (record, digest) = verify_into(bytes, trusted, depth, &mut checks);
    Verdict {
        checks: checks.0,
        key_source,
        record,
        digest,
    }
}

/// Verifies a record as the service that signed it stores it: `body` is the canonical record
/// exactly as signed, so the signature is checked over those bytes and the record read
/// straight into its typed form, without the parsed JSON value and second canonical copy that a
/// downloaded file needs (the service's own first check of a committee vote's 20 MB record).
/// The key the record names must be one of `trusted`; the record's own checks are then
/// [`verify_to`]'s, to `depth`.
pub fn verify_stored_body(
    body: &str,
    signature: &str,
    trusted: &[VerifyingKey],
    depth: Depth,
) -> Verdict {
    let mut checks = Checks(Vec::new());
    let digest = hex(&Sha256::digest(body.as_bytes()));
    let record = match serde_json::from_str::<Record>(body) {
        Ok(r) => {
            checks.add("file", Ok("a stored record".into()));
            Some(r)
        }
        Err(e) => {
            checks.add(
                "structure",
                Err(format!("the stored record cannot be read: {e}")),
            );
            None
        }
    };
    if let Some(record) = &record {
        let named = &record.signing_key.public_key;
        let key = trusted
            .iter()
            .find(|k| BASE64.encode(k.as_bytes()) == *named);
        let algorithm = checks.add(
            "algorithm",
            if record.signing_key.algorithm == ALGORITHM {
                Ok(ALGORITHM.into())
            } else {
                Err(format!(
                    "\"{}\" is not a signature algorithm this verifier knows ({ALGORITHM})",
                    record.signing_key.algorithm
                ))
            },
        );
        let known = checks.add(
            "public key",
            match key {
                Some(_) => Ok(format!("{named}, one of this installation's")),
                None => Err(format!(
                    "the record names key {named}, not one of this installation's"
                )),
            },
        );
        if let Some(key) = key.filter(|_| algorithm && known) {
            checks.add(
                "signature",
                check_signature(key, body.as_bytes(), signature)
                    .map(|()| "Ed25519 over the stored canonical record".to_owned()),
            );
        }
        // Every check is run, as for a downloaded file, so that a refusal names all it found.
        check_record(record, depth, &mut checks);
    }
    Verdict {
        checks: checks.0,
        key_source: KeySource::Given,
        record,
        digest: Some(digest),
    }
}

fn verify_into(
    bytes: &[u8],
    trusted: Option<&[VerifyingKey]>,
    depth: Depth,
    checks: &mut Checks,
) -> (Option<Record>, Option<String>) {
    let value = match parse_strict(bytes) {
        Ok(v) => v,
        Err(e) => {
            checks.add("file", Err(format!("not readable as JSON: {e}")));
            return (None, None);
        }
    };
    let envelope: Envelope = match serde_json::from_value(value) {
        Ok(e) => e,
        Err(e) => {
            checks.add(
                "file",
                Err(format!(
                    "not a signed record (algorithm, digest, public_key, record, signature): {e}"
                )),
            );
            return (None, None);
        }
    };
    checks.add("file", Ok("a signed record".into()));
    // The algorithm is named twice, beside the record and inside it (under the signature):
    // both must be the one this verifier implements.
    let named_algorithm = &envelope.record["signing_key"]["algorithm"];
    checks.add(
        "algorithm",
        if envelope.algorithm != ALGORITHM {
            Err(format!(
                "\"{}\" is not a signature algorithm this verifier knows ({ALGORITHM})",
                envelope.algorithm
            ))
        } else if named_algorithm.as_str() != Some(ALGORITHM) {
            Err(format!(
                "the record's signing_key.algorithm is {named_algorithm}, not \"{ALGORITHM}\""
            ))
        } else {
            Ok(ALGORITHM.into())
        },
    );
    let canonical = match to_canonical(&envelope.record) {
        Ok(c) => c,
        Err(e) => {
            checks.add("canonical form", Err(e.to_string()));
            return (None, None);
        }
    };
    let digest = hex(&Sha256::digest(canonical.as_bytes()));
    checks.add(
        "digest",
        if digest == envelope.digest {
            Ok(format!("SHA-256 {digest}"))
        } else {
            Err(format!(
                "the record hashes to {digest}, not to the digest written beside it ({}): the \
                 record was changed",
                envelope.digest
            ))
        },
    );

    let named_key = envelope.record["signing_key"]["public_key"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let mut key_ok = true;
    if named_key != envelope.public_key {
        key_ok = checks.add(
            "public key",
            Err(format!(
                "the envelope names key {} but the record names {named_key}",
                envelope.public_key
            )),
        );
    }
    let key = match trusted {
        Some(trusted) => {
            let given: Vec<String> = trusted
                .iter()
                .map(|k| BASE64.encode(k.as_bytes()))
                .collect();
            let found = given.iter().position(|k| *k == named_key);
            let which = match given.len() {
                1 => format!("the key given ({})", given[0]),
                n => format!("any of the {n} keys given ({})", given.join(", ")),
            };
            if key_ok {
                checks.add(
                    "public key",
                    match found {
                        Some(_) if given.len() == 1 => Ok(format!("{named_key}, the key given")),
                        Some(_) => Ok(format!("{named_key}, one of the keys given")),
                        None => Err(format!(
                            "the record names key {named_key}, not {which}: it was not signed \
                             by that installation"
                        )),
                    },
                );
            }
            // Not one of them: the signature is checked against the first, and fails.
            found
                .or((!trusted.is_empty()).then_some(0))
                .map(|i| trusted[i])
        }
        None => match parse_public_key(&named_key) {
            Ok(k) => {
                if key_ok {
                    checks.add(
                        "public key",
                        Ok(format!(
                            "{named_key}, as named in the record (no --public-key given)"
                        )),
                    );
                }
                Some(k)
            }
            Err(e) => {
                checks.add("public key", Err(format!("the record's signing key: {e}")));
                None
            }
        },
    };
    if let Some(key) = key {
        checks.add(
            "signature",
            check_signature(&key, canonical.as_bytes(), &envelope.signature)
                .map(|()| "Ed25519 over the canonical record".to_owned()),
        );
    }

    let record: Record = match serde_json::from_value(envelope.record) {
        Ok(r) => r,
        Err(e) => {
            checks.add(
                "structure",
                Err(format!(
                    "the record does not have the members of a {FORMAT_V2} or {FORMAT_V1} \
                     record: {e}"
                )),
            );
            return (None, Some(digest));
        }
    };
    check_record(&record, depth, checks);
    (Some(record), Some(digest))
}

/// Which version of the record, and whether it has exactly the members of that version.
fn version(r: &Record) -> Result<u8, String> {
    match r.format.as_str() {
        FORMAT_V1 => {
            if r.ballot_codes.is_none() || r.ballots.is_none() {
                Err(format!(
                    "a {FORMAT_V1} record lists ballot_codes and ballots; this one does not"
                ))
            } else if r.vote.secrecy.is_some() || r.encryption.is_some() {
                Err(format!(
                    "a {FORMAT_V1} record has no vote.secrecy and no encryption"
                ))
            } else {
                Ok(1)
            }
        }
        FORMAT_V2 => {
            if r.ballot_codes.is_some() || r.ballots.is_some() {
                Err(format!(
                    "a {FORMAT_V2} record lists no ballots (no ballot_codes, no ballots): a list \
                     of whole ballots lets a coercer find a dictated pattern of marks"
                ))
            } else {
                match (r.vote.secrecy.as_deref(), &r.encryption) {
                    (Some(SERVER_SECRECY), None) | (Some(COMMITTEE_SECRECY), Some(_)) => Ok(2),
                    (Some(SERVER_SECRECY), Some(_)) => Err(
                        "a vote counted by the server has no encrypted count (encryption)".into(),
                    ),
                    (Some(COMMITTEE_SECRECY), None) => Err(
                        "a committee vote's record carries its encrypted count (encryption)".into(),
                    ),
                    (Some(other), _) => Err(format!(
                        "vote.secrecy is \"{other}\": this verifier reads \"{SERVER_SECRECY}\" \
                         and \"{COMMITTEE_SECRECY}\""
                    )),
                    (None, _) => Err(format!("a {FORMAT_V2} record names vote.secrecy")),
                }
            }
        }
        other => Err(format!(
            "\"{other}\" is not a format this verifier reads ({FORMAT_V2}, {FORMAT_V1})"
        )),
    }
}

/// Everything that must agree inside a record whose signature is already checked.
fn check_record(r: &Record, depth: Depth, checks: &mut Checks) {
    let version = match version(r) {
        Ok(v) => {
            checks.add("format", Ok(r.format.clone()));
            v
        }
        Err(e) => {
            checks.add("format", Err(e));
            return;
        }
    };
    let kind: VoteKind = match r.vote.kind.parse() {
        Ok(k) => k,
        Err(_) => {
            checks.add(
                "vote",
                Err(format!("unknown vote kind \"{}\"", r.vote.kind)),
            );
            return;
        }
    };
    let percent_base: PercentBase = match r.vote.percent_base.parse() {
        Ok(b) => b,
        Err(_) => {
            checks.add(
                "vote",
                Err(format!("unknown percent base \"{}\"", r.vote.percent_base)),
            );
            return;
        }
    };
    checks.add("times", times(r));
    checks.add("tally header", tally_header(r));
    checks.add("subjects", subject_ids(r));
    // Later additions, checked when the record has them.
    if r.tally.other.contains_key("exempt") {
        checks.add("exempt", exempt(r));
    }
    if let Some(of) = &r.vote.follow_up_of {
        checks.add("follow-up", follow_up(r, of));
    }
    let subjects = r.tally.results.len();

    // Version 1: the ballots, read against the subjects of the tally.
    let mut marks = Vec::new();
    let mut readable = true;
    if let (Some(codes), Some(ballots)) = (&r.ballot_codes, &r.ballots) {
        checks.add(
            "ballot codes",
            if *codes == kind.ballot_codes() {
                Ok(format!("the codes of a {} vote", kind.as_str()))
            } else {
                Err(format!(
                    "the codes listed are not those of a {} vote",
                    kind.as_str()
                ))
            },
        );
        let mut unreadable = Vec::new();
        for (i, b) in ballots.iter().enumerate() {
            match Marks::decode(kind, subjects, b) {
                Ok(m) => marks.push(m),
                Err(_) => unreadable.push(i + 1),
            }
        }
        readable = checks.add(
            "ballots",
            if unreadable.is_empty() {
                Ok(format!(
                    "{} ballots, each marking {subjects} subjects with known choices or blank",
                    ballots.len()
                ))
            } else {
                Err(format!(
                    "ballot{} {} {} not {subjects} characters of the vote's codes",
                    if unreadable.len() == 1 { "" } else { "s" },
                    list(&unreadable),
                    if unreadable.len() == 1 { "is" } else { "are" },
                ))
            },
        );
        checks.add(
            "ballot order",
            if ballots.windows(2).all(|w| w[0] <= w[1]) {
                Ok("sorted by content: the order says nothing of who cast when".into())
            } else {
                Err(
                    "the ballots are not sorted by content, so their order could tell the \
                     order of casting"
                        .into(),
                )
            },
        );
    }
    checks.add("turnout", turnout(r));
    checks.add("electors", electors(r));

    // Version 1 takes the ballots listed as cast; version 2 the tally's ballots_cast, which
    // "turnout" ties to the delegates listed as having cast.
    let cast = match &r.ballots {
        Some(ballots) => ballots.len() as u64,
        None => r.tally.ballots_cast,
    };
    let expected_base = match percent_base {
        PercentBase::Ballots => cast,
        PercentBase::Seats => u64::try_from(r.council.seats).unwrap_or(0),
    };
    checks.add(
        "base",
        if r.tally.base == expected_base {
            Ok(format!(
                "{expected_base} ({})",
                match percent_base {
                    PercentBase::Ballots => "ballots cast",
                    PercentBase::Seats => "seats",
                }
            ))
        } else {
            Err(format!(
                "the tally takes percentages of {}, but the {} are {expected_base}",
                r.tally.base,
                match (percent_base, version) {
                    (PercentBase::Ballots, 1) => "ballots listed",
                    (PercentBase::Ballots, _) => "ballots cast",
                    (PercentBase::Seats, _) => "council's seats",
                }
            ))
        },
    );
    // A committee vote: the counts its committee decrypted, from the record alone.
    let decrypted = match &r.encryption {
        Some(count) => match encrypted::check(r, count, kind, depth, checks) {
            Some(counts) => Some(counts),
            None => return,
        },
        None => None,
    };
    if version == 1 {
        if readable {
            let recount = Tally::count(kind, subjects, expected_base, &marks);
            for (i, (stated, counted)) in r.tally.results.iter().zip(&recount.results).enumerate() {
                checks.add(
                    format!("subject {}", i + 1),
                    subject(stated, counted).map(|()| {
                        format!(
                            "{}: counts, percentages and outcome follow from the ballots",
                            stated.full_name
                        )
                    }),
                );
            }
        }
    } else {
        for (i, stated) in r.tally.results.iter().enumerate() {
            checks.add(
                format!("subject {}", i + 1),
                from_counts(kind, expected_base, cast, stated)
                    .and_then(|counted| {
                        match decrypted.as_ref().and_then(|d| d.get(i)) {
                            Some(row) => same_as_decrypted(kind, stated, row)?,
                            None if decrypted.is_some() => {
                                return Err(format!("{}: no decrypted counts", stated.full_name))
                            }
                            None => {}
                        }
                        subject(stated, &counted)
                    })
                    .map(|()| {
                        format!(
                            "{}: the counts {}; percentages and outcome follow from them",
                            stated.full_name,
                            if decrypted.is_some() {
                                "are those decrypted and add up to the ballots cast"
                            } else {
                                "add up to the ballots cast"
                            }
                        )
                    }),
            );
        }
    }
    checks.add("event chain", event_chain(r));
    checks.add("events match the vote", events_match(r, subjects));
}

/// A committee vote's subject: each choice's count is the one its row decrypts to.
fn same_as_decrypted(
    kind: VoteKind,
    stated: &super::model::SubjectResult,
    decrypted: &[u64],
) -> Result<(), String> {
    for (choice, n) in kind.choices().iter().zip(decrypted) {
        let said = stated.counts.get(choice.as_str()).copied().unwrap_or(0);
        if said != *n {
            return Err(format!(
                "{}: {} is {said} in the tally but the committee's decryption gives {n}",
                stated.full_name,
                choice.as_str()
            ));
        }
    }
    Ok(())
}

/// A version 2 subject's result as the rules make it from its own counts: each choice of the
/// kind and `blank`, no other; the choices adding up to no more than the ballots cast, and
/// `blank` the rest.
fn from_counts(
    kind: VoteKind,
    base: u64,
    cast: u64,
    stated: &super::model::SubjectResult,
) -> Result<crate::domain::SubjectResult, String> {
    let name = &stated.full_name;
    let expected: BTreeSet<&str> = kind
        .choices()
        .iter()
        .map(|c| c.as_str())
        .chain(["blank"])
        .collect();
    let keys: BTreeSet<&str> = stated.counts.keys().map(String::as_str).collect();
    if keys != expected {
        let keys: Vec<&str> = keys.into_iter().collect();
        let expected: Vec<&str> = expected.into_iter().collect();
        return Err(format!(
            "{name}: counts: the record counts {}, a {} vote counts {}",
            keys.join(", "),
            kind.as_str(),
            expected.join(", ")
        ));
    }
    let counts: Vec<(crate::domain::Choice, u64)> = kind
        .choices()
        .iter()
        .map(|c| (*c, stated.counts[c.as_str()]))
        .collect();
    let marked = counts
        .iter()
        .try_fold(0u64, |sum, (_, n)| sum.checked_add(*n))
        .filter(|sum| *sum <= cast)
        .ok_or_else(|| {
            format!(
                "{name}: counts: the choices add up to more than the {cast} ballots cast ({})",
                show(&stated.counts)
            )
        })?;
    let blank = stated.counts["blank"];
    if blank != cast - marked {
        return Err(format!(
            "{name}: counts: blank is {blank}, but {cast} ballots cast less {marked} marks leave {}",
            cast - marked
        ));
    }
    let against = counts.last().map_or(0, |(_, n)| *n);
    let percents = counts
        .iter()
        .map(|(_, n)| *n)
        .chain([blank])
        .map(|n| tally::percent(n, base))
        .collect();
    Ok(crate::domain::SubjectResult {
        outcome: tally::outcome(kind, against, base),
        counts,
        blank,
        percents,
    })
}

fn list(items: &[usize]) -> String {
    let shown: Vec<String> = items.iter().take(10).map(|i| i.to_string()).collect();
    let more = if items.len() > 10 {
        format!(" and {} more", items.len() - 10)
    } else {
        String::new()
    };
    format!("{}{more}", shown.join(", "))
}

fn tally_header(r: &Record) -> Result<String, String> {
    let t = &r.tally;
    let mut differ = Vec::new();
    let mut same = |name: &str, ok: bool| {
        if !ok {
            differ.push(name.to_owned());
        }
    };
    same("vote_id", t.vote_id == r.vote.id);
    same("council_id", t.council_id == r.council.id);
    same("title", t.title == r.vote.title);
    same("kind", t.kind == r.vote.kind);
    same("percent_base", t.percent_base == r.vote.percent_base);
    // Tallies published before the tally named its secrecy do not.
    if let Some(secrecy) = t.other.get("secrecy") {
        same("secrecy", secrecy.as_str() == r.vote.secrecy.as_deref());
    }
    same("seats", t.seats == r.council.seats);
    same(
        "opened_at",
        t.opened_at.as_deref() == Some(r.vote.opened_at.as_str()),
    );
    same(
        "closed_at",
        t.closed_at.as_deref() == Some(r.vote.closed_at.as_str()),
    );
    if differ.is_empty() {
        Ok("the tally names this vote, council, seats and times".into())
    } else {
        Err(format!(
            "the tally's {} differ from the record's vote and council",
            differ.join(", ")
        ))
    }
}

fn turnout(r: &Record) -> Result<String, String> {
    let t = &r.tally;
    let cast = r.electors.cast.len() as u64;
    let eligible = cast + r.electors.not_cast.len() as u64;
    let Some(ballots) = &r.ballots else {
        // Version 2: no ballots are listed, so the tally's count is checked against the names.
        return if t.ballots_cast != cast {
            Err(format!(
                "the tally says {} ballots cast but {cast} delegates are listed as having cast",
                t.ballots_cast
            ))
        } else if t.eligible != eligible {
            Err(format!(
                "the tally says {} eligible but {eligible} delegates are listed",
                t.eligible
            ))
        } else {
            Ok(format!(
                "{cast} ballots cast = delegates who cast; {eligible} eligible"
            ))
        };
    };
    let ballots = ballots.len() as u64;
    let mut differ = Vec::new();
    if t.ballots_cast != ballots {
        differ.push(format!(
            "the tally says {} ballots cast but {ballots} ballots are listed",
            t.ballots_cast
        ));
    }
    if cast != ballots {
        differ.push(format!(
            "{cast} delegates are listed as having cast but {ballots} ballots are listed"
        ));
    }
    if t.eligible != eligible {
        differ.push(format!(
            "the tally says {} eligible but {eligible} delegates are listed",
            t.eligible
        ));
    }
    if differ.is_empty() {
        Ok(format!(
            "{ballots} ballots = ballots cast = delegates who cast; {eligible} eligible"
        ))
    } else {
        Err(differ.join("; "))
    }
}

/// Each delegate once: no username twice in one list, nor in both. The lists' order is the
/// service's (Vietnamese alphabetical order of full name, then username); a verifier need not
/// share it, so it is reported, never a reason to refuse.
fn electors(r: &Record) -> Result<String, String> {
    let e = &r.electors;
    let mut seen = BTreeSet::new();
    let mut twice = BTreeSet::new();
    for p in e.cast.iter().chain(&e.not_cast) {
        if !seen.insert(p.username.as_str()) {
            twice.insert(p.username.as_str());
        }
    }
    if !twice.is_empty() {
        let twice: Vec<&str> = twice.into_iter().collect();
        return Err(format!(
            "a delegate is listed more than once (in one list, or as having cast and not): {}",
            twice.join(", ")
        ));
    }
    let sorted = |l: &[super::model::Person]| {
        l.windows(2)
            .all(|w| super::model::Person::order(&w[0], &w[1]).is_lt())
    };
    let order = if sorted(&e.cast) && sorted(&e.not_cast) {
        "in the service's alphabetical order"
    } else {
        "not in the service's alphabetical order (informational only)"
    };
    Ok(format!(
        "{} cast, {} did not, each once; {order}",
        e.cast.len(),
        e.not_cast.len()
    ))
}

/// The vote's times in the documented form, and in the order of a vote's life. (The tally's
/// and the events' times must equal these: "tally header" and "events match the vote".)
fn times(r: &Record) -> Result<String, String> {
    let v = &r.vote;
    let mut parsed = Vec::new();
    let mut wrong = Vec::new();
    for (name, text) in [
        ("created_at", &v.created_at),
        ("opened_at", &v.opened_at),
        ("closed_at", &v.closed_at),
    ] {
        match utc_millis(text) {
            Some(t) => parsed.push(t),
            None => wrong.push(format!("vote.{name} {text:?}")),
        }
    }
    if !wrong.is_empty() {
        return Err(format!(
            "{} not in the form YYYY-MM-DDTHH:MM:SS.mmmZ (UTC, milliseconds)",
            wrong.join(", ")
        ));
    }
    if parsed[0] > parsed[1] {
        return Err("the vote was opened before it was created".into());
    }
    if parsed[1] > parsed[2] {
        return Err("the vote was closed before it was opened".into());
    }
    Ok("created, opened, closed in that order; UTC to the millisecond".into())
}

/// Each subject once.
fn subject_ids(r: &Record) -> Result<String, String> {
    let mut seen = BTreeSet::new();
    for (i, s) in r.tally.results.iter().enumerate() {
        if !seen.insert(s.subject_id.as_str()) {
            return Err(format!(
                "result {} names subject {} again: each subject has one result",
                i + 1,
                s.subject_id
            ));
        }
    }
    Ok(format!(
        "{} results, each for a different subject",
        r.tally.results.len()
    ))
}

/// The tally's people not rated: a list of `{full_name, positions, reason}`, texts, none of
/// them also rated (a name of `results`, compared trimmed and in lower case).
fn exempt(r: &Record) -> Result<String, String> {
    let people = r.tally.exempt()?;
    for (i, p) in people.iter().enumerate() {
        if let Some(j) = r
            .tally
            .results
            .iter()
            .position(|s| super::model::same_person(&s.full_name, &p.full_name))
        {
            return Err(format!(
                "exempt person {} ({}) is also subject {}: a person exempt is not rated",
                i + 1,
                p.full_name,
                j + 1
            ));
        }
    }
    Ok(match people.len() {
        0 => "nobody exempt".to_owned(),
        n => format!("{n} not rated, none of them among the subjects"),
    })
}

/// A follow-up vote names the rating vote it follows: a vote id (a UUID, lower case), not its
/// own, and it is a confidence vote.
fn follow_up(r: &Record, of: &str) -> Result<String, String> {
    let canonical = uuid::Uuid::parse_str(of)
        .ok()
        .map(|u| u.hyphenated().to_string());
    if canonical.as_deref() != Some(of) {
        return Err(format!(
            "vote.follow_up_of {of:?} is not a vote id (a lower-case hyphenated UUID)"
        ));
    }
    if of == r.vote.id {
        return Err("vote.follow_up_of names the vote itself".into());
    }
    if r.vote.kind != "confidence" {
        return Err(format!(
            "vote.follow_up_of is given but the vote is a {} vote: a follow-up is a confidence \
             vote",
            r.vote.kind
        ));
    }
    Ok(format!("a confidence vote following vote {of}"))
}

/// Compares one subject's stated result with the recount.
fn subject(
    stated: &super::model::SubjectResult,
    counted: &crate::domain::SubjectResult,
) -> Result<(), String> {
    let names = counted
        .counts
        .iter()
        .map(|(c, _)| c.as_str())
        .chain(["blank"]);
    let counts: BTreeMap<String, u64> = counted
        .counts
        .iter()
        .map(|(c, n)| (c.as_str().to_owned(), *n))
        .chain([("blank".to_owned(), counted.blank)])
        .collect();
    let percents: BTreeMap<String, String> = names
        .map(str::to_owned)
        .zip(counted.percents.iter().cloned())
        .collect();
    let outcome = serde_json::to_value(counted.outcome)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let mut differ = Vec::new();
    if stated.counts != counts {
        differ.push(format!(
            "counts: the record says {}, the ballots give {}",
            show(&stated.counts),
            show(&counts)
        ));
    }
    if stated.percents != percents {
        differ.push(format!(
            "percentages: the record says {}, DOMAIN.md's rule gives {}",
            show(&stated.percents),
            show(&percents)
        ));
    }
    if stated.outcome != outcome {
        differ.push(format!(
            "outcome: the record says {}, DOMAIN.md's rule gives {outcome}",
            stated.outcome
        ));
    }
    if differ.is_empty() {
        Ok(())
    } else {
        Err(format!("{}: {}", stated.full_name, differ.join("; ")))
    }
}

fn show<V: std::fmt::Display>(map: &BTreeMap<String, V>) -> String {
    let parts: Vec<String> = map.iter().map(|(k, v)| format!("{k} {v}")).collect();
    parts.join(", ")
}

fn event_chain(r: &Record) -> Result<String, String> {
    chain::check(&r.vote.id, &r.events).map_err(|e| e.to_string())?;
    let kinds: Vec<EventKind> = r.events.iter().map(|e| e.event).collect();
    if kinds != [EventKind::Created, EventKind::Opened, EventKind::Closed] {
        let names: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
        return Err(format!(
            "a closed vote's log is created, opened, closed; this one is {}",
            names.join(", ")
        ));
    }
    Ok("created, opened, closed; each event hashes to its hash and names the one before".into())
}

fn events_match(r: &Record, subjects: usize) -> Result<String, String> {
    let mut differ = Vec::new();
    for e in &r.events {
        let (at, count, what) = match e.event {
            EventKind::Created => (&r.vote.created_at, subjects as u64, "subjects"),
            EventKind::Opened => (&r.vote.opened_at, r.tally.eligible, "eligible delegates"),
            EventKind::Closed => (&r.vote.closed_at, r.tally.ballots_cast, "ballots cast"),
        };
        if e.at != *at {
            differ.push(format!(
                "the \"{}\" event is at {}, the vote says {at}",
                e.event.as_str(),
                e.at
            ));
        }
        if e.count() != Some(count) {
            differ.push(format!(
                "the \"{}\" event counts {} {what}, the record {count}",
                e.event.as_str(),
                e.count().map_or("no".to_owned(), |n| n.to_string())
            ));
        }
    }
    if differ.is_empty() {
        Ok("times and counts of the events are the vote's".into())
    } else {
        Err(differ.join("; "))
    }
}
