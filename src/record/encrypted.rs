//! The count of a committee vote checked from its record alone (docs/verifiable.md §13): the
//! committee's key and its ceremony, the manifest, every encrypted ballot's proofs and tracking
//! code, the sums, each partial decryption's proof, and the counts they give. Pure: the record
//! in, checks out; the ballots are checked on every core.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use std::collections::BTreeSet;
use tinnhiem_crypto::ballot::{
    ballot_list_hash, manifest_hash, tracking_code_of, BallotContext, Manifest, Shape,
};
use tinnhiem_crypto::compact::{verify_compact, COMPACT_CELL_BYTES, COMPACT_ROW_PROOF_BYTES};
use tinnhiem_crypto::elgamal::{add_rows, Ciphertext, JointKey};
use tinnhiem_crypto::group::{decode_nonidentity, decode_point};
use tinnhiem_crypto::proofs::{Context, Equality, Knowledge};
use tinnhiem_crypto::threshold::{self, Published, Sealed};
use tinnhiem_crypto::transcript::PROTOCOL;
use tinnhiem_crypto::{hex, Point};

use super::model::{CommitteeKey, EncryptedCount, Record, RecordedBallot};
use super::verify::Checks;
use crate::domain::VoteKind;

/// How much of the encrypted count to check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    /// Everything: what `tinnhiem verify` does.
    Full,
    /// All but each ballot's proofs and the sums they add up to: what the server does before
    /// serving a record whose ballots it verified as they were cast and compares with the
    /// database on every download.
    WithoutBallots,
}

/// Each cell's sum, row by row.
type Sums = Vec<Vec<Ciphertext>>;
/// A member's partial decryption of every cell, row by row, with their position.
type Partial = (u32, Vec<Vec<Point>>);
/// What a thread finds in its part of the ballots: their sums, and every cell's ciphertext.
type Part = Result<(Sums, Vec<[u8; 64]>), String>;

/// The committee's key as its record proves it.
struct Key {
    joint: JointKey,
    /// Each member's commitments, by position.
    commitments: Vec<Vec<Point>>,
    threshold: u32,
}

/// Checks the encrypted count of `r` and returns each subject's decrypted count of each
/// choice (row by row), when every step up to the decryption holds.
pub(super) fn check(
    r: &Record,
    count: &EncryptedCount,
    kind: VoteKind,
    depth: Depth,
    checks: &mut Checks,
) -> Option<Vec<Vec<u64>>> {
    let protocol = String::from_utf8_lossy(PROTOCOL);
    if !checks.add(
        "protocol",
        if count.protocol == protocol {
            Ok(count.protocol.clone())
        } else {
            Err(format!(
                "\"{}\" is not the protocol this verifier implements ({protocol})",
                count.protocol
            ))
        },
    ) {
        return None;
    }
    let key = committee(&count.committee);
    let key = match key {
        Ok((key, detail)) => {
            checks.add("committee", Ok(detail));
            key
        }
        Err(e) => {
            checks.add("committee", Err(e));
            return None;
        }
    };
    let shape = Shape {
        rows: r.tally.results.len(),
        choices: kind.choices().len(),
    };
    let manifest = match manifest(r, count, &key, kind) {
        Ok(m) => {
            checks.add("manifest", Ok(format!("hash {}", count.manifest_hash)));
            m
        }
        Err(e) => {
            checks.add("manifest", Err(e));
            return None;
        }
    };
    let sums = match read_sums(&count.sums, shape) {
        Ok(s) => s,
        Err(e) => {
            checks.add("sums", Err(e));
            return None;
        }
    };
    let listed = checks.add("encrypted ballots", ballot_list(r, count));
    if depth == Depth::Full && listed {
        let checked = ballots(count, &manifest, &key.joint, shape);
        let ok = checks.add(
            "ballot proofs",
            checked
                .as_ref()
                .map(|_| {
                    format!(
                        "every proof of the {} ballots holds (each cell encrypts 0 or 1, each row \
                     at most one mark), and each tracking code is its ballot's",
                        count.ballots.len()
                    )
                })
                .map_err(Clone::clone),
        );
        if !ok {
            return None;
        }
        let computed = checked.unwrap_or_default();
        let differ = sums
            .iter()
            .zip(&computed)
            .enumerate()
            .flat_map(|(i, (a, b))| {
                a.iter()
                    .zip(b)
                    .enumerate()
                    .filter(|(_, (a, b))| a != b)
                    .map(move |(j, _)| format!("row {} choice {}", i + 1, j + 1))
            })
            .collect::<Vec<_>>();
        if !checks.add(
            "sums",
            if differ.is_empty() {
                Ok("each cell's sum is the sum of that cell over every ballot".into())
            } else {
                Err(format!(
                    "the sums of {} are not the sums of the ballots listed",
                    differ.join(", ")
                ))
            },
        ) {
            return None;
        }
    } else if listed {
        checks.add(
            "ballot proofs",
            Ok(
                "not checked here (the server checked each as it was cast; `tinnhiem verify` \
                checks them all)"
                    .into(),
            ),
        );
    }
    let partials = match decryptions(count, &manifest, &key, &sums) {
        Ok((p, detail)) => {
            checks.add("decryptions", Ok(detail));
            p
        }
        Err(e) => {
            checks.add("decryptions", Err(e));
            return None;
        }
    };
    let counts = decrypted_counts(&partials, &sums, r.tally.ballots_cast);
    let ok = checks.add(
        "decrypted counts",
        counts
            .as_ref()
            .map(|_| "each cell's total decrypts to a count of the ballots cast".to_owned())
            .map_err(Clone::clone),
    );
    ok.then(|| counts.ok()).flatten()
}

fn bytes(what: &str, text: &str) -> Result<Vec<u8>, String> {
    hex::decode(text).ok_or_else(|| format!("{what} is not lowercase hex"))
}

fn point(what: &str, text: &str) -> Result<Point, String> {
    decode_point(&bytes(what, text)?).map_err(|e| format!("{what} {e}"))
}

fn nonidentity(what: &str, text: &str) -> Result<Point, String> {
    decode_nonidentity(&bytes(what, text)?).map_err(|e| format!("{what} {e}"))
}

/// Checks a committee's ceremony (every proof and hash in it, every member's confirmation of
/// its hash) and returns the joint key it makes: what a delegate's own machine checks before
/// it encrypts under that key.
pub fn check_committee(c: &CommitteeKey) -> Result<Point, String> {
    committee(c).map(|(key, _)| key.joint.point)
}

/// The committee's ceremony, every proof and hash in it, and the joint key it makes.
fn committee(c: &CommitteeKey) -> Result<(Key, String), String> {
    let n = c.members.len() as u32;
    let t = c.threshold;
    if n == 0 || t == 0 || t > n {
        return Err(format!(
            "a threshold of {t} among {n} members: it must be between 1 and the members"
        ));
    }
    let id = c.id.as_bytes();
    let mut keys = Vec::new();
    let mut all_commitments = Vec::new();
    let mut all_proofs = Vec::new();
    for (i, seat) in c.members.iter().enumerate() {
        let position = i as u32 + 1;
        let who = format!("member {position}");
        if seat.position != position {
            return Err(format!(
                "the members are not listed by position 1 to {n}: {} is listed {}",
                seat.position, position
            ));
        }
        let pos = position.to_be_bytes();
        let key = nonidentity(&format!("{who}'s sealing key"), &seat.sealing_key)?;
        let proof = Knowledge::from_bytes(&bytes("a sealing proof", &seat.sealing_proof)?)
            .map_err(|e| format!("{who}'s sealing proof {e}"))?;
        let context = Context {
            tag: b"sealing-key",
            fields: &[id, &pos],
        };
        if !proof.verify(&context, &key) {
            return Err(format!("{who}'s sealing proof does not hold"));
        }
        if seat.commitments.len() != t as usize || seat.proofs.len() != t as usize {
            return Err(format!("{who} has not {t} commitments and {t} proofs"));
        }
        let commitments = seat
            .commitments
            .iter()
            .map(|h| nonidentity(&format!("{who}'s commitment"), h))
            .collect::<Result<Vec<_>, _>>()?;
        let proofs = seat
            .proofs
            .iter()
            .map(|h| {
                Knowledge::from_bytes(&bytes("a proof", h)?)
                    .map_err(|e| format!("{who}'s coefficient proof {e}"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if !threshold::commitments_proven(&[id, &pos], &commitments, &proofs) {
            return Err(format!("a coefficient proof of {who} does not hold"));
        }
        let hash = threshold::commitment_hash(id, position, &commitments, &proofs);
        if hex::encode(&hash) != seat.commitment_hash {
            return Err(format!(
                "{who}'s commitments are not those whose hash they published first"
            ));
        }
        keys.push(key);
        all_commitments.push(commitments);
        all_proofs.push(proofs);
    }
    let expected: Vec<(u32, u32)> = (1..=n)
        .flat_map(|s| (1..=n).filter(move |r| *r != s).map(move |r| (s, r)))
        .collect();
    let listed: Vec<(u32, u32)> = c.sealed.iter().map(|s| (s.sender, s.recipient)).collect();
    if listed != expected {
        return Err(
            "the sealed values are not exactly one from each member to each other member, by \
             sender then recipient"
                .into(),
        );
    }
    let sealed = c
        .sealed
        .iter()
        .map(|s| {
            let value = Sealed::from_bytes(&bytes("a sealed value", &s.sealed)?)
                .map_err(|e| format!("the value sealed by {} to {} {e}", s.sender, s.recipient))?;
            Ok((s.sender, s.recipient, value))
        })
        .collect::<Result<Vec<_>, String>>()?;
    let published: Vec<Published> = (0..c.members.len())
        .map(|i| Published {
            position: i as u32 + 1,
            sealing_key: &keys[i],
            commitments: &all_commitments[i],
            proofs: &all_proofs[i],
        })
        .collect();
    let ceremony = hex::encode(&threshold::ceremony_hash(id, t, &published, &sealed));
    if ceremony != c.ceremony_hash {
        return Err(format!(
            "the ceremony hashes to {ceremony}, not to the ceremony_hash written ({})",
            c.ceremony_hash
        ));
    }
    if let Some(seat) = c.members.iter().find(|s| s.confirmation != ceremony) {
        return Err(format!(
            "member {} confirmed another ceremony than this one",
            seat.position
        ));
    }
    let joint = threshold::joint_key(&all_commitments);
    if point("the joint key", &c.joint_key)? != joint {
        return Err("the joint key is not the sum of the members' first commitments".into());
    }
    Ok((
        Key {
            joint: JointKey::new(joint),
            commitments: all_commitments,
            threshold: t,
        },
        format!(
            "{n} members, threshold {t}: every proof of the ceremony holds, every member \
             confirmed its hash (fingerprint {}: compare it with the one the members read out \
             and signed in the minutes), and the joint key is made of their commitments",
            crate::domain::committee::fingerprint(&ceremony)
        ),
    ))
}

/// The manifest hash recomputed from the record's vote, subjects and committee.
fn manifest(
    r: &Record,
    count: &EncryptedCount,
    key: &Key,
    kind: VoteKind,
) -> Result<[u8; 32], String> {
    let ids: Vec<&str> = r
        .tally
        .results
        .iter()
        .map(|s| s.subject_id.as_str())
        .collect();
    let hash = manifest_hash(&Manifest {
        vote_id: &r.vote.id,
        council_id: &r.council.id,
        kind: kind.as_str(),
        choices: kind.choices().len() as u32,
        subject_ids: &ids,
        committee_id: &count.committee.id,
        threshold: key.threshold,
        size: key.commitments.len() as u32,
        joint_key: &key.joint.point,
    });
    if hex::encode(&hash) != count.manifest_hash {
        return Err(format!(
            "the vote, its subjects in ballot order and its committee hash to {}, not to the \
             manifest_hash written ({}): the ballots were made for another vote",
            hex::encode(&hash),
            count.manifest_hash
        ));
    }
    Ok(hash)
}

fn read_sums(sums: &[Vec<String>], shape: Shape) -> Result<Vec<Vec<Ciphertext>>, String> {
    if sums.len() != shape.rows || sums.iter().any(|r| r.len() != shape.choices) {
        return Err(format!("not {} rows of {} sums", shape.rows, shape.choices));
    }
    sums.iter()
        .map(|row| {
            row.iter()
                .map(|h| {
                    Ciphertext::from_bytes(&bytes("a sum", h)?).map_err(|e| format!("a sum {e}"))
                })
                .collect()
        })
        .collect()
}

/// The list itself: as many as were cast, ordered by tracking code, each id once.
fn ballot_list(r: &Record, count: &EncryptedCount) -> Result<String, String> {
    let n = count.ballots.len() as u64;
    if n != r.tally.ballots_cast {
        return Err(format!(
            "{n} encrypted ballots are listed but the tally says {} were cast",
            r.tally.ballots_cast
        ));
    }
    if !count
        .ballots
        .windows(2)
        .all(|w| w[0].tracking_code < w[1].tracking_code)
    {
        return Err(
            "the ballots are not in the order of their tracking codes, each once: their order \
             could tell the order of casting"
                .into(),
        );
    }
    let mut ids = BTreeSet::new();
    for b in &count.ballots {
        if hex::decode(&b.ballot_id).is_none_or(|id| id.len() != 16) {
            return Err(format!(
                "ballot {} has an id that is not 16 bytes of hex",
                b.tracking_code
            ));
        }
        if !ids.insert(b.ballot_id.as_str()) {
            return Err(format!("ballot id {} is listed twice", b.ballot_id));
        }
    }
    Ok(format!(
        "{n} ballots = ballots cast, by tracking code, each id once"
    ))
}

/// Every ballot's proofs and tracking code, no cell's ciphertext the same as any other's (a
/// copy, whole or in part); the sums of each cell over them all.
fn ballots(
    count: &EncryptedCount,
    manifest: &[u8; 32],
    key: &JointKey,
    shape: Shape,
) -> Result<Vec<Vec<Ciphertext>>, String> {
    let results = crate::parallel::on_every_core(&count.ballots, |part| {
        check_part(part, manifest, key, shape)
    });
    let mut sums = vec![vec![Ciphertext::zero(); shape.choices]; shape.rows];
    let mut seen = BTreeSet::new();
    for result in results {
        let (part, cells) = result.unwrap_or_else(|| Err("a ballot check stopped".into()))?;
        add_rows(&mut sums, &part);
        for c in cells {
            if !seen.insert(c) {
                return Err(
                    "a cell's ciphertext appears twice: a ballot is copied, whole or in part"
                        .into(),
                );
            }
        }
    }
    Ok(sums)
}

/// Checks one core's part of the ballots: their sums, and every cell's ciphertext.
fn check_part(part: &[RecordedBallot], manifest: &[u8; 32], key: &JointKey, shape: Shape) -> Part {
    let mut sums = vec![vec![Ciphertext::zero(); shape.choices]; shape.rows];
    let mut cells = Vec::with_capacity(part.len() * shape.rows * shape.choices);
    for b in part {
        let mut id = [0u8; 16];
        id.copy_from_slice(&bytes("a ballot id", &b.ballot_id)?);
        let raw = BASE64
            .decode(&b.ballot)
            .map_err(|_| format!("ballot {} is not base64", b.tracking_code))?;
        let context = BallotContext {
            manifest_hash: *manifest,
            key,
            ballot_id: id,
        };
        let ballot = verify_compact(&raw, &context, shape)
            .map_err(|e| format!("ballot {}: {e}", b.tracking_code))?;
        let encoded: Vec<&[u8]> = raw
            .chunks(shape.choices * COMPACT_CELL_BYTES + COMPACT_ROW_PROOF_BYTES)
            .flat_map(|row| {
                row[..shape.choices * COMPACT_CELL_BYTES]
                    .chunks(COMPACT_CELL_BYTES)
                    .map(|cell| &cell[..64])
            })
            .collect();
        let code = tracking_code_of(manifest, &id, encoded.iter().copied());
        if hex::encode(&code) != b.tracking_code {
            return Err(format!(
                "ballot {} does not have that tracking code",
                b.tracking_code
            ));
        }
        cells.extend(encoded.iter().map(|c| {
            let mut cell = [0u8; 64];
            cell.copy_from_slice(c);
            cell
        }));
        let ciphertexts: Vec<Vec<Ciphertext>> = ballot
            .rows
            .iter()
            .map(|r| r.cells.iter().map(|c| c.ciphertext).collect())
            .collect();
        add_rows(&mut sums, &ciphertexts);
    }
    Ok((sums, cells))
}

/// Each partial decryption's proofs against its member's share key; at least the threshold
/// of them, each member once.
fn decryptions(
    count: &EncryptedCount,
    manifest: &[u8; 32],
    key: &Key,
    sums: &[Vec<Ciphertext>],
) -> Result<(Vec<Partial>, String), String> {
    // Each decryption is bound to the list of ballots its member checked (§12): the list
    // here, when nothing was added to it or taken from it since. A record whose decryptions
    // were made before they were bound to it names no list.
    let codes = count
        .ballots
        .iter()
        .map(|b| hex::decode(&b.tracking_code).and_then(|c| <[u8; 32]>::try_from(c).ok()))
        .collect::<Option<Vec<[u8; 32]>>>()
        .ok_or("a tracking code is not 32 bytes of hex")?;
    let list = ballot_list_hash(manifest, &codes);
    let bound = match &count.ballot_list_hash {
        Some(named) if *named == hex::encode(&list) => true,
        Some(named) => {
            return Err(format!(
                "the ballot list hash {named} is not the hash of the ballots listed ({})",
                hex::encode(&list)
            ))
        }
        None => false,
    };
    let summed = threshold::Summed {
        manifest_hash: manifest,
        ballot_list: bound.then_some(&list),
    };
    let n = key.commitments.len() as u32;
    let positions: Vec<u32> = count.decryptions.iter().map(|d| d.position).collect();
    if positions.windows(2).any(|w| w[0] >= w[1]) || positions.iter().any(|p| *p == 0 || *p > n) {
        return Err(format!(
            "the decryptions are not by distinct members (1 to {n}) in order of position"
        ));
    }
    if (positions.len() as u32) < key.threshold {
        return Err(format!(
            "{} partial decryptions, fewer than the threshold of {}",
            positions.len(),
            key.threshold
        ));
    }
    let mut out = Vec::new();
    for d in &count.decryptions {
        let who = format!("member {}", d.position);
        let share_key = threshold::share_key(&key.commitments, d.position);
        if d.shares.len() != sums.len()
            || d.shares.iter().zip(sums).any(|(a, b)| a.len() != b.len())
        {
            return Err(format!("{who}'s decryption has not one share per cell"));
        }
        let mut rows = Vec::new();
        for (i, (row, sum_row)) in d.shares.iter().zip(sums).enumerate() {
            let mut points = Vec::new();
            for (j, (share, sum)) in row.iter().zip(sum_row).enumerate() {
                let cell = format!("{who}'s share of row {} choice {}", i + 1, j + 1);
                let partial = point(&cell, &share.partial)?;
                let proof = Equality::from_bytes(&bytes(&cell, &share.proof)?)
                    .map_err(|e| format!("{cell}'s proof {e}"))?;
                let holds = threshold::partial_holds(
                    &proof, summed, d.position, i as u32, j as u32, &share_key, &sum.alpha,
                    &partial,
                );
                if !holds {
                    return Err(format!(
                        "the proof of {cell} does not hold: it is not a decryption with that \
                         member's share"
                    ));
                }
                points.push(partial);
            }
            rows.push(points);
        }
        out.push((d.position, rows));
    }
    let names: Vec<String> = positions.iter().map(u32::to_string).collect();
    let list = if bound {
        "and bound to the list of ballots listed"
    } else {
        "(made before decryptions named their list of ballots: a ballot added with others that \
         cancel it would not show here; docs/auditing.md)"
    };
    Ok((
        out,
        format!(
            "members {} decrypted the sums, each proof holding against their share's key {list}",
            names.join(", ")
        ),
    ))
}

/// Each cell's count: the k in 0 … cast with k·G = B − Σ λ_j·M_j.
fn decrypted_counts(
    partials: &[Partial],
    sums: &[Vec<Ciphertext>],
    cast: u64,
) -> Result<Vec<Vec<u64>>, String> {
    threshold::decrypt_counts(partials, sums, cast).map_err(|(i, j)| {
        format!(
            "row {} choice {} does not decrypt to a count between 0 and the {cast} ballots cast",
            i + 1,
            j + 1
        )
    })
}
