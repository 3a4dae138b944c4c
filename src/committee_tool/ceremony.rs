//! One member's part in the key ceremony (docs/verifiable.md §6), from joining to the joint
//! key. Each step waits until every member has finished the one before; the member's secrets
//! are in the share file from the start, so an interrupted run resumes where it stopped.

use rand_core::OsRng;
use serde_json::json;
use std::path::Path;
use std::time::Duration;
use tinnhiem_crypto::group::{base_mul, decode_nonidentity, decode_scalar};
use tinnhiem_crypto::proofs::{Context, Knowledge};
use tinnhiem_crypto::threshold::{self, Polynomial, Published, Sealed};
use tinnhiem_crypto::{hex, Point, Scalar};

use super::error::ToolError;
use super::session::Session;
use super::share_file::ShareFile;
use crate::domain::{CommitteeState, Step};
use crate::shapes::Committee;

/// How the ceremony ended for this member.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Every member confirmed: the joint key (hex) exists, and the share file holds this
    /// member's share.
    Ready { joint_key: String },
    /// A member's values failed a check: the server's record of why.
    Failed { why: String },
}

/// Runs (or resumes) the caller's part in committee `committee_id`'s ceremony, keeping its
/// secrets in `file` under `passphrase`, and polling every `wait` for the other members.
/// `say` is told each step, in plain words.
pub fn ceremony(
    session: &Session,
    committee_id: &str,
    file: &Path,
    passphrase: &str,
    wait: Duration,
    mut say: impl FnMut(&str),
) -> Result<Outcome, ToolError> {
    match take_part(session, committee_id, file, passphrase, wait, &mut say) {
        // Another member ended the ceremony meanwhile: say why, rather than the refusal.
        Err(ToolError::Refused { status: 409, .. }) | Err(ToolError::Distrust(_))
            if failed(session, committee_id).is_some() =>
        {
            Ok(Outcome::Failed {
                why: failed(session, committee_id).unwrap_or_default(),
            })
        }
        other => other,
    }
}

/// Why the ceremony failed, if it has.
fn failed(session: &Session, committee_id: &str) -> Option<String> {
    let committee: Committee = session.get(&format!("/committees/{committee_id}")).ok()?;
    (committee.state == CommitteeState::Failed).then(|| committee.failure.unwrap_or_default())
}

fn take_part(
    session: &Session,
    committee_id: &str,
    file: &Path,
    passphrase: &str,
    wait: Duration,
    mut say: impl FnMut(&str),
) -> Result<Outcome, ToolError> {
    let path = format!("/committees/{committee_id}");
    let committee: Committee = session.get(&path)?;
    let well_formed = committee.id == committee_id
        && committee.members.len() == committee.size as usize
        && (1..=committee.size).contains(&committee.threshold)
        && committee
            .members
            .iter()
            .enumerate()
            .all(|(i, m)| m.position == i as u32 + 1);
    if !well_formed {
        return Err(ToolError::Distrust(
            "the server describes the committee inconsistently (its id, size, threshold or \
             positions)"
                .into(),
        ));
    }
    let seat = committee
        .members
        .iter()
        .find(|m| m.member_id == session.member_id)
        .ok_or_else(|| ToolError::Distrust("you are not a member of this committee".into()))?;
    let position = seat.position;
    let mut state = match ShareFile::load(file, passphrase)? {
        Some(state) if state.committee_id == committee_id && state.position == position => state,
        Some(_) => {
            return Err(ToolError::ShareFile(format!(
                "{} belongs to another committee or position; give another file",
                file.display()
            )))
        }
        None => {
            let polynomial = Polynomial::random(committee.threshold as usize, &mut OsRng);
            let state = ShareFile {
                committee_id: committee_id.to_owned(),
                position,
                threshold: committee.threshold,
                size: committee.size,
                sealing_secret: Some(hex::encode(
                    &tinnhiem_crypto::group::random_scalar(&mut OsRng).to_bytes(),
                )),
                coefficients: Some(
                    polynomial
                        .coefficients()
                        .iter()
                        .map(|c| hex::encode(&c.to_bytes()))
                        .collect(),
                ),
                share: None,
                share_key: None,
                joint_key: None,
                sent: None,
                ceremony_hash: None,
                decrypted: Vec::new(),
            };
            state.save(file, passphrase)?;
            say("Your secrets are in the share file; keep it and its passphrase.");
            state
        }
    };
    if state.share.is_some() {
        return finish(session, &path, &state, wait, &mut say);
    }
    let secrets = Secrets::of(&state)?;
    let member = Member {
        committee_id,
        position,
    };

    // Join: the sealing key and the hash of the commitments, before anyone reveals any.
    let mut committee: Committee = session.get(&path)?;
    if seat_of(&committee, position).sealing_key.is_none() {
        say("Joining: publishing your sealing key and the hash of your commitments.");
        committee = session.post(&format!("{path}/join"), &member.join(&secrets))?;
    }
    let committee = wait_for(session, &path, Step::Reveal, wait, &mut say, committee)?;
    check_joined(&committee)?;
    let join = member.join(&secrets);
    let seat = seat_of(&committee, position);
    if seat.sealing_key.as_deref() != join["sealing_key"].as_str()
        || seat.commitment_hash.as_deref() != join["commitment_hash"].as_str()
    {
        return Err(distrust(
            position,
            "the server shows your own join with other values",
        ));
    }

    // Reveal.
    let committee = if seat_of(&committee, position).commitments.is_none() {
        say("Revealing your commitments.");
        session.post(&format!("{path}/reveal"), &member.reveal(&secrets))?
    } else {
        committee
    };
    let committee = wait_for(session, &path, Step::Share, wait, &mut say, committee)?;
    let published = check_revealed(&committee)?;
    let ours = &published[position as usize - 1];
    if ours.commitments != secrets.polynomial.commitments() {
        return Err(distrust(
            position,
            "the server shows your own commitments changed",
        ));
    }

    // Share: each other member's value, sealed to their key; kept in the file first, so that
    // a resumed run sends the very same ones.
    let sent = match state.sent.clone() {
        Some(sent) => sent,
        None => {
            let sent: Vec<String> = published
                .iter()
                .filter(|m| m.position != position)
                .map(|m| {
                    let value = secrets.polynomial.value_at(m.position);
                    let context = sealing_context(committee_id, position, m.position);
                    let sealed =
                        Sealed::seal(&context.fields(), &m.sealing_key, &value, &mut OsRng);
                    hex::encode(&sealed.to_bytes())
                })
                .collect();
            state.sent = Some(sent.clone());
            state.save(file, passphrase)?;
            sent
        }
    };
    let recipients: Vec<u32> = published
        .iter()
        .map(|m| m.position)
        .filter(|p| *p != position)
        .collect();
    let committee = if committee.sealed.iter().any(|s| s.sender == position) {
        committee
    } else {
        say("Sending each member their value, sealed to them.");
        let sealed: Vec<_> = recipients
            .iter()
            .zip(&sent)
            .map(|(r, s)| json!({"recipient": r, "sealed": s}))
            .collect();
        session.post(&format!("{path}/shares"), &json!({ "sealed": sealed }))?
    };
    let committee = wait_for(session, &path, Step::Confirm, wait, &mut say, committee)?;

    // Confirm: what this member sent is shown unchanged; open and check what it received,
    // and the ceremony's hash.
    let shown: Vec<&str> = committee
        .sealed
        .iter()
        .filter(|s| s.sender == position)
        .map(|s| s.sealed.as_str())
        .collect();
    if shown != sent.iter().map(String::as_str).collect::<Vec<_>>() {
        return Err(distrust(
            position,
            "the server shows the values you sent changed",
        ));
    }
    let mine = seat_of(&committee, position);
    if mine.confirmation.is_none() {
        let (share, complaints) = receive(&committee, &published, &secrets, position)?;
        let body = if complaints.is_empty() {
            let hash = hex::encode(&ceremony_hash(&committee, &published)?);
            if committee.ceremony_hash.as_deref() != Some(hash.as_str()) {
                return Err(ToolError::Distrust(
                    "the server's ceremony hash is not the hash of what it showed you".into(),
                ));
            }
            let commitments: Vec<Vec<Point>> =
                published.iter().map(|m| m.commitments.clone()).collect();
            let share_key = threshold::share_key(&commitments, position);
            if base_mul(&share) != share_key {
                return Err(distrust(
                    position,
                    "your share does not match the key the commitments give it",
                ));
            }
            state.share = Some(hex::encode(&share.to_bytes()));
            state.share_key = Some(hex::encode(&share_key.compress().to_bytes()));
            state.ceremony_hash = Some(hash.clone());
            state.joint_key = Some(hex::encode(
                &threshold::joint_key(&commitments).compress().to_bytes(),
            ));
            state.sealing_secret = None;
            state.coefficients = None;
            state.save(file, passphrase)?;
            say("Every value you received checks; confirming the ceremony.");
            json!({ "ceremony_hash": hash })
        } else {
            say(
                "Some values you received do not match their senders' commitments; reporting them.",
            );
            json!({ "complaints": complaints })
        };
        let _: Committee = session.post(&format!("{path}/confirm"), &body)?;
        if state.share.is_none() {
            return wait_for_end(session, &path, wait, &mut say, None);
        }
    }
    finish(session, &path, &state, wait, &mut say)
}

/// After this member's share is saved: confirms if the confirmation was lost, tells the
/// member the fingerprint every member must read out alike, and waits for the key.
fn finish(
    session: &Session,
    path: &str,
    state: &ShareFile,
    wait: Duration,
    say: &mut impl FnMut(&str),
) -> Result<Outcome, ToolError> {
    let hash = state.ceremony_hash.clone().unwrap_or_default();
    let committee: Committee = session.get(path)?;
    if committee.state == CommitteeState::Forming
        && seat_of(&committee, state.position).confirmation.is_none()
    {
        if committee.ceremony_hash.as_deref() != Some(hash.as_str()) {
            return Err(ToolError::Distrust(
                "the ceremony the server shows now is not the one you checked".into(),
            ));
        }
        let _: Committee = session.post(
            &format!("{path}/confirm"),
            &json!({ "ceremony_hash": hash }),
        )?;
    }
    say(&format!(
        "Ceremony fingerprint: {} (threshold {} of {}). Every member must read out the same \
         fingerprint; if one differs, stop and tell the chair.",
        fingerprint(&hash),
        state.threshold,
        state.size
    ));
    wait_for_end(session, path, wait, say, state.joint_key.as_deref())
}

pub use crate::domain::committee::fingerprint;

/// The member's secrets for the ceremony, from the share file.
struct Secrets {
    sealing: Scalar,
    polynomial: Polynomial,
}

impl Secrets {
    fn of(state: &ShareFile) -> Result<Secrets, ToolError> {
        let broken = || ToolError::ShareFile("holds no readable ceremony secrets".into());
        let scalar = |h: &str| {
            hex::decode(h)
                .and_then(|b| decode_scalar(&b).ok())
                .ok_or_else(broken)
        };
        let sealing = scalar(state.sealing_secret.as_deref().ok_or_else(broken)?)?;
        let coefficients = state
            .coefficients
            .as_ref()
            .ok_or_else(broken)?
            .iter()
            .map(|c| scalar(c))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Secrets {
            sealing,
            polynomial: Polynomial::from_coefficients(coefficients),
        })
    }
}

struct Member<'a> {
    committee_id: &'a str,
    position: u32,
}

impl Member<'_> {
    fn join(&self, secrets: &Secrets) -> serde_json::Value {
        let position = self.position.to_be_bytes();
        let fields: [&[u8]; 2] = [self.committee_id.as_bytes(), &position];
        // Deterministic, as the commitments' proofs: a join repeated after a lost answer
        // sends the very same values.
        let mut nonces =
            SecretNonces::new(b"sealing key", secrets, self.committee_id, self.position);
        let proof = Knowledge::prove(
            &Context {
                tag: b"sealing-key",
                fields: &fields,
            },
            &secrets.sealing,
            &mut nonces,
        );
        let (commitments, proofs) = self.commitments(secrets);
        let hash = threshold::commitment_hash(
            self.committee_id.as_bytes(),
            self.position,
            &commitments,
            &proofs,
        );
        json!({
            "sealing_key": hex::encode(&base_mul(&secrets.sealing).compress().to_bytes()),
            "sealing_proof": hex::encode(&proof.to_bytes()),
            "commitment_hash": hex::encode(&hash),
        })
    }

    fn reveal(&self, secrets: &Secrets) -> serde_json::Value {
        let (commitments, proofs) = self.commitments(secrets);
        json!({
            "commitments": commitments.iter().map(|c| hex::encode(&c.compress().to_bytes())).collect::<Vec<_>>(),
            "proofs": proofs.iter().map(|p| hex::encode(&p.to_bytes())).collect::<Vec<_>>(),
        })
    }

    /// The commitments and their proofs. Proofs are randomised, so they are made once, from
    /// nonces derived from the member's secrets: the hash published at `join` must match
    /// what `reveal` sends, even after a restart.
    fn commitments(&self, secrets: &Secrets) -> (Vec<Point>, Vec<Knowledge>) {
        let position = self.position.to_be_bytes();
        let context: [&[u8]; 2] = [self.committee_id.as_bytes(), &position];
        let mut nonces =
            SecretNonces::new(b"commitments", secrets, self.committee_id, self.position);
        (
            secrets.polynomial.commitments(),
            secrets.polynomial.proofs(&context, &mut nonces),
        )
    }
}

/// Nonces for the member's proofs, drawn from a hash of their secrets (with a tag): fixed for
/// given secrets, unknowable without them. A proof's security needs only that its nonce be
/// secret and never used for another statement (as in deterministic signatures).
struct SecretNonces {
    seed: [u8; 64],
    counter: u64,
}

impl SecretNonces {
    fn new(tag: &[u8], secrets: &Secrets, committee_id: &str, position: u32) -> SecretNonces {
        use sha2::{Digest, Sha512};
        let mut h = Sha512::new();
        h.update(b"tinnhiem ceremony proof nonces");
        h.update((tag.len() as u32).to_be_bytes());
        h.update(tag);
        h.update(secrets.sealing.to_bytes());
        h.update(committee_id.as_bytes());
        h.update(position.to_be_bytes());
        for c in secrets.polynomial.coefficients() {
            h.update(c.to_bytes());
        }
        SecretNonces {
            seed: h.finalize().into(),
            counter: 0,
        }
    }
}

impl rand_core::RngCore for SecretNonces {
    fn next_u32(&mut self) -> u32 {
        self.next_u64() as u32
    }
    fn next_u64(&mut self) -> u64 {
        let mut b = [0u8; 8];
        self.fill_bytes(&mut b);
        u64::from_le_bytes(b)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        use sha2::{Digest, Sha512};
        for chunk in dest.chunks_mut(64) {
            let block: [u8; 64] = Sha512::new()
                .chain_update(self.seed)
                .chain_update(self.counter.to_be_bytes())
                .finalize()
                .into();
            self.counter += 1;
            chunk.copy_from_slice(&block[..chunk.len()]);
        }
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl rand_core::CryptoRng for SecretNonces {}

fn seat_of(committee: &Committee, position: u32) -> &crate::shapes::CommitteeSeat {
    &committee.members[position as usize - 1]
}

/// Polls until the ceremony reaches `step` (or ends).
fn wait_for(
    session: &Session,
    path: &str,
    step: Step,
    wait: Duration,
    say: &mut impl FnMut(&str),
    mut committee: Committee,
) -> Result<Committee, ToolError> {
    let mut told = false;
    loop {
        if committee.state == CommitteeState::Failed {
            return Err(ToolError::Distrust(format!(
                "the ceremony failed: {}",
                committee.failure.as_deref().unwrap_or("no reason given")
            )));
        }
        if committee.step >= step {
            return Ok(committee);
        }
        if !told {
            say("Waiting for the other members…");
            told = true;
        }
        std::thread::sleep(wait);
        committee = session.get(path)?;
    }
}

/// Waits until the key is made or the ceremony fails. The key returned is the one this
/// member computed (`ours`), which the server's must equal.
fn wait_for_end(
    session: &Session,
    path: &str,
    wait: Duration,
    say: &mut impl FnMut(&str),
    ours: Option<&str>,
) -> Result<Outcome, ToolError> {
    let mut told = false;
    loop {
        let committee: Committee = session.get(path)?;
        match committee.state {
            CommitteeState::Ready => {
                let theirs = committee.joint_key.unwrap_or_default();
                if ours.is_some_and(|k| k != theirs) {
                    return Err(ToolError::Distrust(
                        "the server's joint key is not the one your share belongs to".into(),
                    ));
                }
                return Ok(Outcome::Ready { joint_key: theirs });
            }
            CommitteeState::Failed => {
                return Ok(Outcome::Failed {
                    why: committee.failure.unwrap_or_default(),
                })
            }
            CommitteeState::Forming => {
                if !told {
                    say("Waiting for the other members to confirm…");
                    told = true;
                }
                std::thread::sleep(wait);
            }
        }
    }
}

/// What every member has published, decoded and checked by this tool.
struct Checked {
    position: u32,
    sealing_key: Point,
    commitments: Vec<Point>,
    proofs: Vec<Knowledge>,
}

fn distrust(position: u32, what: &str) -> ToolError {
    ToolError::Distrust(format!("member at position {position}: {what}"))
}

/// Every member's sealing key decodes and is proven.
fn check_joined(committee: &Committee) -> Result<(), ToolError> {
    for m in &committee.members {
        sealing_key(committee, m)?;
    }
    Ok(())
}

fn sealing_key(
    committee: &Committee,
    m: &crate::shapes::CommitteeSeat,
) -> Result<Point, ToolError> {
    let key = m
        .sealing_key
        .as_deref()
        .and_then(hex::decode)
        .and_then(|b| decode_nonidentity(&b).ok())
        .ok_or_else(|| distrust(m.position, "no valid sealing key"))?;
    let proof = m
        .sealing_proof
        .as_deref()
        .and_then(hex::decode)
        .and_then(|b| Knowledge::from_bytes(&b).ok())
        .ok_or_else(|| distrust(m.position, "no valid sealing proof"))?;
    let position = m.position.to_be_bytes();
    let fields: [&[u8]; 2] = [committee.id.as_bytes(), &position];
    let context = Context {
        tag: b"sealing-key",
        fields: &fields,
    };
    if !proof.verify(&context, &key) {
        return Err(distrust(m.position, "the sealing proof does not hold"));
    }
    Ok(key)
}

/// Every member's commitments decode, hash to what they published at `join`, and are proven.
fn check_revealed(committee: &Committee) -> Result<Vec<Checked>, ToolError> {
    committee
        .members
        .iter()
        .map(|m| {
            let key = sealing_key(committee, m)?;
            let decode_all = |list: &Option<Vec<String>>| -> Option<Vec<Vec<u8>>> {
                list.as_ref()?.iter().map(|h| hex::decode(h)).collect()
            };
            let commitments = decode_all(&m.commitments)
                .and_then(|l| {
                    l.iter()
                        .map(|b| decode_nonidentity(b).ok())
                        .collect::<Option<Vec<_>>>()
                })
                .filter(|c| c.len() == committee.threshold as usize)
                .ok_or_else(|| distrust(m.position, "no valid commitments"))?;
            let proofs = decode_all(&m.proofs)
                .and_then(|l| {
                    l.iter()
                        .map(|b| Knowledge::from_bytes(b).ok())
                        .collect::<Option<Vec<_>>>()
                })
                .ok_or_else(|| distrust(m.position, "no valid proofs"))?;
            let hash = threshold::commitment_hash(
                committee.id.as_bytes(),
                m.position,
                &commitments,
                &proofs,
            );
            if m.commitment_hash.as_deref() != Some(hex::encode(&hash).as_str()) {
                return Err(distrust(
                    m.position,
                    "commitments that differ from the hash published at join",
                ));
            }
            let position = m.position.to_be_bytes();
            if !threshold::commitments_proven(
                &[committee.id.as_bytes(), &position],
                &commitments,
                &proofs,
            ) {
                return Err(distrust(
                    m.position,
                    "a commitment proof that does not hold",
                ));
            }
            Ok(Checked {
                position: m.position,
                sealing_key: key,
                commitments,
                proofs,
            })
        })
        .collect()
}

struct SealingContext {
    committee: Vec<u8>,
    sender: [u8; 4],
    recipient: [u8; 4],
}

impl SealingContext {
    fn fields(&self) -> [&[u8]; 3] {
        [&self.committee, &self.sender, &self.recipient]
    }
}

fn sealing_context(committee_id: &str, sender: u32, recipient: u32) -> SealingContext {
    SealingContext {
        committee: committee_id.as_bytes().to_vec(),
        sender: sender.to_be_bytes(),
        recipient: recipient.to_be_bytes(),
    }
}

/// Opens the values sealed to this member and checks each against its sender's commitments:
/// this member's share, and the positions whose values failed.
fn receive(
    committee: &Committee,
    published: &[Checked],
    secrets: &Secrets,
    position: u32,
) -> Result<(Scalar, Vec<u32>), ToolError> {
    let mut share = secrets.polynomial.value_at(position);
    let mut complaints = Vec::new();
    for sender in published.iter().filter(|m| m.position != position) {
        let sealed = committee
            .sealed
            .iter()
            .find(|s| s.sender == sender.position && s.recipient == position)
            .and_then(|s| hex::decode(&s.sealed))
            .and_then(|b| Sealed::from_bytes(&b).ok());
        let Some(sealed) = sealed else {
            complaints.push(sender.position);
            continue;
        };
        let context = sealing_context(&committee.id, sender.position, position);
        let value = sealed.open(&context.fields(), &secrets.sealing);
        if threshold::value_matches(&sender.commitments, position, &value) {
            share += value;
        } else {
            complaints.push(sender.position);
        }
    }
    Ok((share, complaints))
}

fn ceremony_hash(committee: &Committee, published: &[Checked]) -> Result<[u8; 32], ToolError> {
    let members: Vec<Published> = published
        .iter()
        .map(|m| Published {
            position: m.position,
            sealing_key: &m.sealing_key,
            commitments: &m.commitments,
            proofs: &m.proofs,
        })
        .collect();
    let sealed = committee
        .sealed
        .iter()
        .map(|s| {
            hex::decode(&s.sealed)
                .and_then(|b| Sealed::from_bytes(&b).ok())
                .map(|v| (s.sender, s.recipient, v))
                .ok_or_else(|| distrust(s.sender, "a sealed value that does not decode"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(threshold::ceremony_hash(
        committee.id.as_bytes(),
        committee.threshold,
        &members,
        &sealed,
    ))
}
