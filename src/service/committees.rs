//! The counting committee (Ban kiểm phiếu) of committee votes, and its key ceremony with no
//! dealer (docs/verifiable.md §6). The server relays and checks what members publish; it never
//! sees a share: the values members send each other are sealed to the recipient.
//!
//! The ceremony's steps (`domain::committee::Step`) run in order: a step opens only when every
//! member has finished the one before. A member repeating a step with the same values gets the
//! same answer (a tablet or tool retrying), with other values a conflict.

use tinnhiem_crypto::group::{decode_nonidentity, decode_point, DecodeError};
use tinnhiem_crypto::proofs::{Context, Knowledge};
use tinnhiem_crypto::threshold::{self, Published, Sealed};
use tinnhiem_crypto::{hex, Point};

use super::Caller;
use crate::db::committees::{self as rows, CommitteeRow, SealedRow, SeatRow};
use crate::db::{self, members, DbConn};
use crate::domain::committee::{majority, Progress, MAX_MEMBERS};
use crate::domain::{CommitteeState, Role, Secrecy, Step};
use crate::error::{AppError, AppResult};
use crate::shapes::{
    Committee, CommitteeSeat, ConfirmCeremony, JoinCeremony, NewCommittee, RevealCommitments,
    SealedValue, SendShares, VoteCommittee,
};

/// A committee asked for at vote creation, its shape checked.
#[derive(Debug)]
pub struct Requested {
    pub members: Vec<String>,
    pub threshold: u32,
}

/// The secrecy and committee of a vote being created, from its request.
pub fn requested(
    secrecy: Option<&str>,
    committee: Option<NewCommittee>,
) -> AppResult<(Secrecy, Option<Requested>)> {
    let secrecy: Secrecy = match secrecy {
        None => Secrecy::default(),
        Some(s) => s.parse().map_err(|_| {
            AppError::validation(
                "secrecy must be \"server\" (the default) or \"committee\" (ballots encrypted \
                 under the counting committee's key).",
            )
        })?,
    };
    let committee =
        match (secrecy, committee) {
            (Secrecy::Server, None) => return Ok((secrecy, None)),
            (Secrecy::Server, Some(_)) => return Err(AppError::validation(
                "committee is for committee votes only: add \"secrecy\": \"committee\", or leave \
                 committee out.",
            )),
            (Secrecy::Committee, None) => {
                return Err(AppError::validation(
                    "A committee vote needs its counting committee: \"committee\": {\"members\": \
                 [member ids of auditors], \"threshold\": t}.",
                ))
            }
            (Secrecy::Committee, Some(c)) => c,
        };
    let n = committee.members.len();
    if n == 0 || n > MAX_MEMBERS {
        return Err(AppError::validation(format!(
            "committee.members must list between 1 and {MAX_MEMBERS} members."
        )));
    }
    let mut members = Vec::with_capacity(n);
    for (i, raw) in committee.members.iter().enumerate() {
        let id = uuid::Uuid::parse_str(raw)
            .map_err(|_| {
                AppError::validation(format!("committee.members[{i}] is not a member id."))
            })?
            .to_string();
        if members.contains(&id) {
            return Err(AppError::validation(format!(
                "committee.members[{i}] is listed twice; list each member once."
            )));
        }
        members.push(id);
    }
    let threshold = committee.threshold.unwrap_or(majority(n) as u32);
    if threshold == 0 || threshold as usize > n {
        return Err(AppError::validation(format!(
            "committee.threshold must be between 1 and the {n} members (a majority, {}, when \
             left out).",
            majority(n)
        )));
    }
    Ok((secrecy, Some(Requested { members, threshold })))
}

/// The committee a new vote of `council_id` uses: the council's committee of the same members
/// and threshold whose key has not failed, or a new one. Runs in the vote's transaction.
pub fn for_vote(conn: &mut DbConn, council_id: &str, wanted: &Requested) -> AppResult<String> {
    for (i, id) in wanted.members.iter().enumerate() {
        let fits = members::find(conn, id)?.is_some_and(|m| {
            m.active && m.is_auditor && m.council_id.as_deref() == Some(council_id)
        });
        if !fits {
            return Err(AppError::validation(format!(
                "committee.members[{i}] must be an active member of this council holding \
                 auditor (the counting committee's role)."
            )));
        }
    }
    let mut wanted_set = wanted.members.clone();
    wanted_set.sort();
    for committee in rows::usable_in_council(conn, council_id)? {
        if committee.threshold as u32 != wanted.threshold {
            continue;
        }
        let mut seated: Vec<String> = rows::seats(conn, &committee.id)?
            .into_iter()
            .map(|(seat, _)| seat.member_id)
            .collect();
        seated.sort();
        if seated == wanted_set {
            return Ok(committee.id);
        }
    }
    let id = uuid::Uuid::new_v4().to_string();
    let committee = CommitteeRow {
        id: id.clone(),
        council_id: council_id.to_owned(),
        threshold: wanted.threshold as i32,
        size: wanted.members.len() as i32,
        state: CommitteeState::Forming.as_str().to_owned(),
        joint_key: None,
        failure: None,
        created_at: db::now(),
    };
    let seats: Vec<SeatRow> = wanted
        .members
        .iter()
        .enumerate()
        .map(|(i, member)| SeatRow {
            committee_id: id.clone(),
            position: i as i32 + 1,
            member_id: member.clone(),
            sealing_key: None,
            sealing_proof: None,
            commitment_hash: None,
            commitments: None,
            proofs: None,
            confirmation: None,
        })
        .collect();
    rows::insert(conn, &committee, &seats)?;
    Ok(id)
}

/// A committee as the Vote shape names it.
pub fn summary(conn: &mut DbConn, committee_id: &str) -> AppResult<VoteCommittee> {
    let committee = find(conn, committee_id)?;
    Ok(VoteCommittee {
        members: rows::seats(conn, committee_id)?
            .into_iter()
            .map(|(seat, _)| seat.member_id)
            .collect(),
        threshold: committee.row.threshold as u32,
        state: committee.state,
        id: committee.row.id,
    })
}

/// 409 unless the committee's key exists, saying what is missing: opening a committee vote
/// before it would leave the tablets nothing to encrypt under.
pub fn require_ready(conn: &mut DbConn, committee_id: &str) -> AppResult<()> {
    let committee = find(conn, committee_id)?;
    match committee.state {
        CommitteeState::Ready => Ok(()),
        CommitteeState::Failed => Err(AppError::invalid_state(format!(
            "The counting committee's key ceremony failed ({}); create the vote again with a \
             committee without the member named, so that a new ceremony can run.",
            committee
                .row
                .failure
                .as_deref()
                .unwrap_or("no reason recorded")
        ))),
        CommitteeState::Forming => {
            let seats = rows::seats(conn, committee_id)?;
            let sealed = rows::sealed(conn, committee_id)?;
            let progress = progress(&seats, &sealed);
            Err(AppError::invalid_state(format!(
                "The counting committee's key does not exist yet: {} of {} members have \
                 confirmed it (the ceremony is at step \"{}\"). Each member runs `tinnhiem \
                 committee ceremony`; open the vote once all have.",
                progress.confirmed,
                progress.size,
                step_name(progress.step())
            )))
        }
    }
}

/// The answer for a closed committee vote's tally or record before the committee has
/// decrypted its totals.
pub fn awaiting_decryption() -> AppError {
    AppError::new(
        crate::error::Problem::TallyNotPublished,
        "The vote is closed; in a committee vote the tally and the record are published once \
         the threshold of the counting committee's members have decrypted the totals \
         (docs/verifiable.md §7).",
    )
}

struct Loaded {
    row: CommitteeRow,
    state: CommitteeState,
}

fn find(conn: &mut DbConn, id: &str) -> AppResult<Loaded> {
    let row = rows::find(conn, id)?.ok_or_else(|| AppError::not_found("committee"))?;
    let state = row
        .state
        .parse()
        .map_err(|_| AppError::internal(format_args!("stored committee state {:?}", row.state)))?;
    Ok(Loaded { row, state })
}

/// The committee if the caller may see it: admins and the members of its council.
fn visible(conn: &mut DbConn, caller: &Caller, id: &str) -> AppResult<Loaded> {
    let committee = find(conn, id)?;
    caller.see_council(&committee.row.council_id, "committee")?;
    Ok(committee)
}

fn progress(seats: &[(SeatRow, String)], sealed: &[SealedRow]) -> Progress {
    let mut senders: Vec<i32> = sealed.iter().map(|s| s.sender).collect();
    senders.dedup();
    Progress {
        size: seats.len(),
        joined: seats
            .iter()
            .filter(|(s, _)| s.sealing_key.is_some())
            .count(),
        revealed: seats
            .iter()
            .filter(|(s, _)| s.commitments.is_some())
            .count(),
        shared: senders.len(),
        confirmed: seats
            .iter()
            .filter(|(s, _)| s.confirmation.is_some())
            .count(),
    }
}

fn step_name(step: Step) -> &'static str {
    match step {
        Step::Join => "join",
        Step::Reveal => "reveal",
        Step::Share => "share",
        Step::Confirm => "confirm",
        Step::Done => "done",
    }
}

/// The committee and everything its ceremony has published so far.
pub fn view(conn: &mut DbConn, caller: &Caller, id: &str) -> AppResult<Committee> {
    let committee = visible(conn, caller, id)?;
    describe(conn, committee)
}

fn describe(conn: &mut DbConn, committee: Loaded) -> AppResult<Committee> {
    let seats = rows::seats(conn, &committee.row.id)?;
    let sealed = rows::sealed(conn, &committee.row.id)?;
    let progress = progress(&seats, &sealed);
    let ceremony_hash = if progress.step() >= Step::Confirm {
        Some(hex::encode(&ceremony_hash(
            &committee.row,
            &seats,
            &sealed,
        )?))
    } else {
        None
    };
    let list = |json: &Option<String>| -> AppResult<Option<Vec<String>>> {
        json.as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(AppError::internal)
    };
    let members = seats
        .iter()
        .map(|(seat, full_name)| {
            Ok(CommitteeSeat {
                position: seat.position as u32,
                member_id: seat.member_id.clone(),
                full_name: full_name.clone(),
                sealing_key: seat.sealing_key.clone(),
                sealing_proof: seat.sealing_proof.clone(),
                commitment_hash: seat.commitment_hash.clone(),
                commitments: list(&seat.commitments)?,
                proofs: list(&seat.proofs)?,
                confirmation: seat.confirmation.clone(),
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    Ok(Committee {
        id: committee.row.id,
        council_id: committee.row.council_id,
        threshold: committee.row.threshold as u32,
        size: committee.row.size as u32,
        state: committee.state,
        step: progress.step(),
        joint_key: committee.row.joint_key,
        ceremony_hash,
        failure: committee.row.failure,
        members,
        sealed: sealed
            .into_iter()
            .map(|s| SealedValue {
                sender: s.sender as u32,
                recipient: s.recipient as u32,
                sealed: s.sealed,
            })
            .collect(),
    })
}

/// The ceremony hash (docs/verifiable.md §6) of everything published.
fn ceremony_hash(
    committee: &CommitteeRow,
    seats: &[(SeatRow, String)],
    sealed: &[SealedRow],
) -> AppResult<[u8; 32]> {
    let stored = |what: &str, e: &dyn std::fmt::Display| {
        AppError::internal(format_args!(
            "stored {what} of committee {}: {e}",
            committee.id
        ))
    };
    let mut keys = Vec::new();
    let mut commitments = Vec::new();
    let mut proofs = Vec::new();
    for (seat, _) in seats {
        let key = seat
            .sealing_key
            .as_deref()
            .and_then(hex::decode)
            .ok_or_else(|| stored("sealing key", &"missing"))?;
        keys.push(decode_point(&key).map_err(|e| stored("sealing key", &e))?);
        let (c, p) = revealed(seat).map_err(|e| stored("commitments", &e))?;
        commitments.push(c);
        proofs.push(p);
    }
    let published: Vec<Published> = seats
        .iter()
        .enumerate()
        .map(|(i, (seat, _))| Published {
            position: seat.position as u32,
            sealing_key: &keys[i],
            commitments: &commitments[i],
            proofs: &proofs[i],
        })
        .collect();
    let sealed: Vec<(u32, u32, Sealed)> = sealed
        .iter()
        .map(|s| {
            let value = hex::decode(&s.sealed)
                .and_then(|b| Sealed::from_bytes(&b).ok())
                .ok_or_else(|| stored("sealed value", &"not readable"))?;
            Ok((s.sender as u32, s.recipient as u32, value))
        })
        .collect::<AppResult<_>>()?;
    Ok(threshold::ceremony_hash(
        committee.id.as_bytes(),
        committee.threshold as u32,
        &published,
        &sealed,
    ))
}

/// Every member's commitments, in position order, from a committee whose key is made.
pub fn all_commitments(seats: &[(SeatRow, String)]) -> AppResult<Vec<Vec<Point>>> {
    seats
        .iter()
        .map(|(seat, _)| revealed(seat).map(|(c, _)| c).map_err(AppError::internal))
        .collect()
}

/// A seat's revealed commitments and proofs, decoded.
fn revealed(seat: &SeatRow) -> Result<(Vec<Point>, Vec<Knowledge>), String> {
    let parse = |json: &Option<String>| -> Result<Vec<Vec<u8>>, String> {
        let list: Vec<String> =
            serde_json::from_str(json.as_deref().ok_or("missing")?).map_err(|e| e.to_string())?;
        list.iter()
            .map(|h| hex::decode(h).ok_or_else(|| "not hex".to_owned()))
            .collect()
    };
    let commitments = parse(&seat.commitments)?
        .iter()
        .map(|b| decode_point(b).map_err(|e| e.to_string()))
        .collect::<Result<Vec<_>, _>>()?;
    let proofs = parse(&seat.proofs)?
        .iter()
        .map(|b| Knowledge::from_bytes(b).map_err(|e| e.to_string()))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((commitments, proofs))
}

/// One ceremony step by the caller: finds their seat, checks the step is open, and runs
/// `act` on the seat and the committee inside one write transaction, the committee locked.
fn step(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    expected: Step,
    act: impl FnOnce(&mut DbConn, &CommitteeRow, &mut [(SeatRow, String)], usize) -> AppResult<()>,
) -> AppResult<Committee> {
    let committee = visible(conn, caller, id)?;
    caller.require(
        &[Role::Auditor],
        "take part in a counting committee's key ceremony",
    )?;
    db::write_transaction(conn, |conn| {
        rows::lock(conn, id)?;
        let committee = find(conn, id)?;
        let mut seats = rows::seats(conn, id)?;
        let mine = seats
            .iter()
            .position(|(seat, _)| seat.member_id == caller.member.id)
            .ok_or_else(|| {
                AppError::forbidden(
                    "Only the members of this counting committee take part in its key ceremony.",
                )
            })?;
        if committee.state != CommitteeState::Forming {
            return Err(AppError::invalid_state(format!(
                "This committee's ceremony is over: its key is {}.",
                if committee.state == CommitteeState::Ready {
                    "made"
                } else {
                    "refused"
                }
            )));
        }
        let sealed = rows::sealed(conn, id)?;
        let at = progress(&seats, &sealed).step();
        if at < expected {
            return Err(AppError::invalid_state(format!(
                "The ceremony is at step \"{}\": step \"{}\" opens once every member has \
                 finished it. Try again in a moment.",
                step_name(at),
                step_name(expected)
            )));
        }
        act(conn, &committee.row, &mut seats, mine)
    })?;
    let committee = find(conn, &committee.row.id)?;
    describe(conn, committee)
}

fn bytes32(field: &str, text: &str) -> AppResult<Vec<u8>> {
    hex::decode(text)
        .filter(|b| b.len() == 32)
        .ok_or_else(|| AppError::validation(format!("{field} must be 32 bytes in lowercase hex.")))
}

fn refused(field: &str, e: DecodeError) -> AppError {
    AppError::validation(format!("{field} {e}."))
}

fn position_bytes(position: i32) -> [u8; 4] {
    (position as u32).to_be_bytes()
}

/// The context of a member's proofs: the committee id (its text) and their position.
fn member_context<'a>(committee: &'a CommitteeRow, position: &'a [u8; 4]) -> [&'a [u8]; 2] {
    [committee.id.as_bytes(), position]
}

/// Step `join`: the member's sealing key with its proof, and the hash of their commitments.
pub fn join(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    input: JoinCeremony,
) -> AppResult<Committee> {
    step(
        conn,
        caller,
        id,
        Step::Join,
        |conn, committee, seats, mine| {
            let seat = &mut seats[mine].0;
            if seat.sealing_key.is_some() {
                let same = seat.sealing_key.as_deref() == Some(input.sealing_key.as_str())
                    && seat.sealing_proof.as_deref() == Some(input.sealing_proof.as_str())
                    && seat.commitment_hash.as_deref() == Some(input.commitment_hash.as_str());
                return if same {
                    Ok(())
                } else {
                    Err(AppError::invalid_state(
                        "You have already joined this ceremony with other values; they stand.",
                    ))
                };
            }
            let key = decode_nonidentity(&bytes32("sealing_key", &input.sealing_key)?)
                .map_err(|e| refused("sealing_key", e))?;
            let proof = hex::decode(&input.sealing_proof)
                .ok_or_else(|| AppError::validation("sealing_proof must be lowercase hex."))
                .and_then(|b| Knowledge::from_bytes(&b).map_err(|e| refused("sealing_proof", e)))?;
            let position = position_bytes(seat.position);
            let context = Context {
                tag: b"sealing-key",
                fields: &member_context(committee, &position),
            };
            if !proof.verify(&context, &key) {
                return Err(AppError::validation(
                    "sealing_proof does not prove knowledge of sealing_key for this committee and \
                 your position.",
                ));
            }
            bytes32("commitment_hash", &input.commitment_hash)?;
            seat.sealing_key = Some(input.sealing_key);
            seat.sealing_proof = Some(input.sealing_proof);
            seat.commitment_hash = Some(input.commitment_hash);
            rows::update_seat(conn, seat)?;
            Ok(())
        },
    )
}

/// Step `reveal`: the commitments and proofs that hash to what the member published at `join`.
pub fn reveal(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    input: RevealCommitments,
) -> AppResult<Committee> {
    step(
        conn,
        caller,
        id,
        Step::Reveal,
        |conn, committee, seats, mine| {
            let seat = &mut seats[mine].0;
            let commitments_json =
                serde_json::to_string(&input.commitments).map_err(AppError::internal)?;
            let proofs_json = serde_json::to_string(&input.proofs).map_err(AppError::internal)?;
            if seat.commitments.is_some() {
                let same = seat.commitments.as_deref() == Some(commitments_json.as_str())
                    && seat.proofs.as_deref() == Some(proofs_json.as_str());
                return if same {
                    Ok(())
                } else {
                    Err(AppError::invalid_state(
                        "You have already revealed other commitments; they stand.",
                    ))
                };
            }
            let t = committee.threshold as usize;
            if input.commitments.len() != t || input.proofs.len() != t {
                return Err(AppError::validation(format!(
                    "Send {t} commitments and {t} proofs: one per coefficient of a polynomial of \
                 degree {} (the threshold less one).",
                    t - 1
                )));
            }
            let commitments = input
                .commitments
                .iter()
                .enumerate()
                .map(|(k, c)| {
                    let field = format!("commitments[{k}]");
                    decode_nonidentity(&bytes32(&field, c)?).map_err(|e| refused(&field, e))
                })
                .collect::<AppResult<Vec<Point>>>()?;
            let proofs = input
                .proofs
                .iter()
                .enumerate()
                .map(|(k, p)| {
                    let field = format!("proofs[{k}]");
                    hex::decode(p)
                        .ok_or_else(|| {
                            AppError::validation(format!("{field} must be lowercase hex."))
                        })
                        .and_then(|b| Knowledge::from_bytes(&b).map_err(|e| refused(&field, e)))
                })
                .collect::<AppResult<Vec<Knowledge>>>()?;
            let position = position_bytes(seat.position);
            let context = member_context(committee, &position);
            let hash = threshold::commitment_hash(
                committee.id.as_bytes(),
                seat.position as u32,
                &commitments,
                &proofs,
            );
            if Some(hex::encode(&hash).as_str()) != seat.commitment_hash.as_deref() {
                return Err(AppError::validation(
                "These commitments and proofs do not hash to the commitment_hash you published \
                 when you joined; reveal the ones you committed to.",
            ));
            }
            if !threshold::commitments_proven(&context, &commitments, &proofs) {
                return Err(AppError::validation(
                    "A proof does not prove knowledge of its commitment's coefficient for this \
                 committee and your position.",
                ));
            }
            seat.commitments = Some(commitments_json);
            seat.proofs = Some(proofs_json);
            rows::update_seat(conn, seat)?;
            Ok(())
        },
    )
}

/// Step `share`: one sealed value for each other member; the server can read none of them.
pub fn share(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    input: SendShares,
) -> AppResult<Committee> {
    step(
        conn,
        caller,
        id,
        Step::Share,
        |conn, committee, seats, mine| {
            let sender = seats[mine].0.position;
            let mut sent: Vec<SealedRow> = input
                .sealed
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let field = format!("sealed[{i}].sealed");
                    let bytes = hex::decode(&s.sealed).ok_or_else(|| {
                        AppError::validation(format!("{field} must be lowercase hex."))
                    })?;
                    Sealed::from_bytes(&bytes).map_err(|e| refused(&field, e))?;
                    Ok(SealedRow {
                        committee_id: committee.id.clone(),
                        sender,
                        recipient: s.recipient as i32,
                        sealed: s.sealed.clone(),
                    })
                })
                .collect::<AppResult<_>>()?;
            sent.sort_by_key(|s| s.recipient);
            let others: Vec<i32> = seats
                .iter()
                .map(|(s, _)| s.position)
                .filter(|p| *p != sender)
                .collect();
            let recipients: Vec<i32> = sent.iter().map(|s| s.recipient).collect();
            if recipients != others {
                return Err(AppError::validation(format!(
                    "Send exactly one sealed value to each other member: to positions {others:?}."
                )));
            }
            let already: Vec<SealedRow> = rows::sealed(conn, &committee.id)?
                .into_iter()
                .filter(|s| s.sender == sender)
                .collect();
            if !already.is_empty() {
                let same = already.len() == sent.len()
                    && already
                        .iter()
                        .zip(&sent)
                        .all(|(a, b)| a.recipient == b.recipient && a.sealed == b.sealed);
                return if same {
                    Ok(())
                } else {
                    Err(AppError::invalid_state(
                        "You have already sent other sealed values; they stand.",
                    ))
                };
            }
            rows::insert_sealed(conn, &sent)?;
            Ok(())
        },
    )
}

/// Step `confirm`: the member's ceremony hash, or the members whose values failed their check.
/// The last confirmation makes the key; any complaint ends the ceremony, naming who failed.
pub fn confirm(
    conn: &mut DbConn,
    caller: &Caller,
    id: &str,
    input: ConfirmCeremony,
) -> AppResult<Committee> {
    step(
        conn,
        caller,
        id,
        Step::Confirm,
        |conn, committee, seats, mine| {
            let position = seats[mine].0.position;
            if !input.complaints.is_empty() {
                if input.ceremony_hash.is_some() {
                    return Err(AppError::validation(
                        "Send either ceremony_hash (everything you received checks) or complaints \
                     (the positions whose values did not), not both.",
                    ));
                }
                let mut named = Vec::new();
                for p in &input.complaints {
                    let Some((_, name)) = seats
                        .iter()
                        .find(|(s, _)| s.position as u32 == *p && s.position != position)
                    else {
                        return Err(AppError::validation(format!(
                            "complaints must name other members' positions; {p} is not one."
                        )));
                    };
                    named.push(format!("{name} (position {p})"));
                }
                let failure = format!(
                    "the values sent by {} did not match their commitments, as checked by {} \
                 (position {position})",
                    named.join(", "),
                    seats[mine].1
                );
                rows::settle(
                    conn,
                    &committee.id,
                    CommitteeState::Failed.as_str(),
                    None,
                    Some(&failure),
                )?;
                return Ok(());
            }
            let Some(hash) = input.ceremony_hash else {
                return Err(AppError::validation(
                "Send ceremony_hash once every value you received checks, or complaints naming \
                 the positions whose values did not.",
            ));
            };
            bytes32("ceremony_hash", &hash)?;
            let sealed = rows::sealed(conn, &committee.id)?;
            let expected = hex::encode(&ceremony_hash(committee, seats, &sealed)?);
            if hash != expected {
                return Err(AppError::validation(
                    "ceremony_hash differs from the hash of what this server holds: you and the \
                 server saw different ceremonies. Do not use this committee; tell the chair.",
                ));
            }
            let seat = &mut seats[mine].0;
            if seat.confirmation.is_none() {
                seat.confirmation = Some(hash);
                rows::update_seat(conn, seat)?;
            }
            if seats.iter().all(|(s, _)| s.confirmation.is_some()) {
                let mut key = Point::default();
                for (seat, _) in seats.iter() {
                    let (commitments, _) = revealed(seat).map_err(AppError::internal)?;
                    key += commitments[0];
                }
                let key = hex::encode(&key.compress().to_bytes());
                rows::settle(
                    conn,
                    &committee.id,
                    CommitteeState::Ready.as_str(),
                    Some(&key),
                    None,
                )?;
            }
            Ok(())
        },
    )
}
