//! The count of a committee vote (docs/verifiable.md §7): at the close the server sums each
//! cell over every cast ballot; each committee member's tool checks every ballot, recomputes
//! the sums, and sends its partial decryption of the sums with a proof for each; once the
//! threshold's worth are in, the server combines them, reads each count, and publishes the
//! tally. No single ballot is ever decrypted.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use tinnhiem_crypto::ballot::{ballot_list_hash, EncryptedBallot, Shape};
use tinnhiem_crypto::elgamal::{add_rows, Ciphertext};
use tinnhiem_crypto::group::decode_point;
use tinnhiem_crypto::proofs::Equality;
use tinnhiem_crypto::threshold;
use tinnhiem_crypto::{hex, Point};

use super::visible::{load_visible, LoadedVote};
use super::{committees, records, tallies, Caller};
use crate::db::committees as committee_rows;
use crate::db::encrypted;
use crate::db::votes as vote_rows;
use crate::db::{self, DbConn};
use crate::domain::{Secrecy, VoteState};
use crate::error::{AppError, AppResult};
use crate::record::RecordKey;
use crate::shapes::{
    BallotPage, DecryptionProgress, EncryptedBallots, PartialDecryption, StoredBallot,
};

fn shape(conn: &mut DbConn, vote: &LoadedVote) -> AppResult<Shape> {
    Ok(Shape {
        rows: vote_rows::subject_ids_of(conn, &vote.row.id)?.len(),
        choices: vote.kind.choices().len(),
    })
}

/// Sums each cell over every ballot stored, as the committee vote closes: only the
/// ciphertexts are decoded (every proof was checked as the ballot was cast), on every core.
pub fn sum_at_close(conn: &mut DbConn, vote: &LoadedVote) -> AppResult<()> {
    let shape = shape(conn, vote)?;
    let stored = encrypted::of_vote(conn, &vote.row.id)?;
    let mut sums = vec![vec![Ciphertext::zero(); shape.choices]; shape.rows];
    for part in crate::parallel::on_every_core(&stored, |part| sum_of(part, shape)) {
        let part = part.ok_or_else(|| AppError::internal("a summing thread stopped"))?;
        add_rows(&mut sums, &part?);
    }
    let text: Vec<Vec<String>> = sums
        .iter()
        .map(|row| row.iter().map(|c| hex::encode(&c.to_bytes())).collect())
        .collect();
    let json = serde_json::to_string(&text).map_err(AppError::internal)?;
    encrypted::save_sums(conn, &vote.row.id, stored.len() as i32, &json)?;
    Ok(())
}

fn sum_of(rows: &[encrypted::EncryptedRow], shape: Shape) -> AppResult<Vec<Vec<Ciphertext>>> {
    let mut sums = vec![vec![Ciphertext::zero(); shape.choices]; shape.rows];
    for row in rows {
        let bytes = BASE64
            .decode(row.ballot.as_bytes())
            .map_err(|_| AppError::internal("a stored encrypted ballot is not base64"))?;
        let cells = EncryptedBallot::ciphertexts_of(&bytes, shape)
            .map_err(|e| AppError::internal(format_args!("a stored encrypted ballot: {e}")))?;
        add_rows(&mut sums, &cells);
    }
    Ok(sums)
}

/// The hash of the list of the vote's stored ballots (§12), which every partial decryption of
/// its sums is bound to.
fn ballot_list(conn: &mut DbConn, vote: &LoadedVote) -> AppResult<[u8; 32]> {
    let manifest: [u8; 32] = manifest_of(vote)?;
    let codes = encrypted::tracking_codes_of(conn, &vote.row.id)?
        .iter()
        .map(|c| hex::decode(c).and_then(|b| <[u8; 32]>::try_from(b).ok()))
        .collect::<Option<Vec<[u8; 32]>>>()
        .ok_or_else(|| AppError::internal("a stored tracking code is not 32 bytes of hex"))?;
    Ok(ballot_list_hash(&manifest, &codes))
}

fn manifest_of(vote: &LoadedVote) -> AppResult<[u8; 32]> {
    vote.row
        .manifest_hash
        .as_deref()
        .and_then(hex::decode)
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .ok_or_else(|| AppError::internal("a committee vote without its manifest"))
}

/// A closed committee vote the caller may see, with its stored sums.
fn closed_committee_vote(
    conn: &mut DbConn,
    caller: &Caller,
    vote_id: &str,
) -> AppResult<(LoadedVote, i32, Vec<Vec<Ciphertext>>)> {
    let vote = load_visible(conn, caller, vote_id)?;
    if vote.secrecy != Secrecy::Committee {
        return Err(AppError::invalid_state(
            "This is not a committee vote: its ballots are counted as it closes.",
        ));
    }
    if vote.state != VoteState::Closed {
        return Err(AppError::invalid_state(format!(
            "The vote is {}; the committee decrypts its totals once the chair closes it.",
            vote.state.as_str()
        )));
    }
    let (ballots, sums) = encrypted::sums_of(conn, vote_id)?
        .ok_or_else(|| AppError::internal("a closed committee vote has no sums"))?;
    let sums: Vec<Vec<String>> = serde_json::from_str(&sums).map_err(AppError::internal)?;
    let sums = sums
        .iter()
        .map(|row| {
            row.iter()
                .map(|c| {
                    hex::decode(c)
                        .and_then(|b| Ciphertext::from_bytes(&b).ok())
                        .ok_or_else(|| AppError::internal("stored sums are unreadable"))
                })
                .collect()
        })
        .collect::<AppResult<_>>()?;
    Ok((vote, ballots, sums))
}

/// Ballots per page of `GET /votes/{id}/ballots`, by default and at most.
const PAGE: u32 = 100;
const MAX_PAGE: u32 = 500;

/// A page of the cast ballots of a closed committee vote, the sums, and who has decrypted.
pub fn ballots(
    conn: &mut DbConn,
    caller: &Caller,
    vote_id: &str,
    page: &BallotPage,
) -> AppResult<EncryptedBallots> {
    let (vote, ballots_cast, sums) = closed_committee_vote(conn, caller, vote_id)?;
    let limit = page.limit.unwrap_or(PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(AppError::validation(format!(
            "limit is {limit}: ask for 1 to {MAX_PAGE} ballots a page."
        )));
    }
    if let Some(after) = &page.after {
        if hex::decode(after).is_none_or(|b| b.len() != 16) {
            return Err(AppError::validation(
                "after must be a ballot id (32 lowercase hex characters): the next of the page \
                 before.",
            ));
        }
    }
    // One more than asked: whether another page follows.
    let mut rows = encrypted::page_of(
        conn,
        vote_id,
        encrypted::PageOrder::Id,
        page.after.as_deref(),
        i64::from(limit) + 1,
    )?;
    let next = if rows.len() > limit as usize {
        rows.truncate(limit as usize);
        rows.last().map(|r| r.id.clone())
    } else {
        None
    };
    let ballots = rows
        .into_iter()
        .map(|row| StoredBallot {
            ballot_id: row.id,
            ballot: row.ballot,
            tracking_code: row.tracking_code,
        })
        .collect();
    Ok(EncryptedBallots {
        vote_id: vote.row.id.clone(),
        manifest_hash: vote.row.manifest_hash.clone().unwrap_or_default(),
        ballots_cast: ballots_cast as u32,
        ballots,
        next,
        sums: sums
            .iter()
            .map(|row| row.iter().map(|c| hex::encode(&c.to_bytes())).collect())
            .collect(),
        ballot_list_hash: hex::encode(&ballot_list(conn, &vote)?),
        decrypted_by: encrypted::partials_of(conn, vote_id)?
            .into_iter()
            .map(|(p, _)| p as u32)
            .collect(),
    })
}

fn invalid(detail: String) -> AppError {
    AppError::validation(detail)
}

/// A committee member's partial decryption of every cell's sum, each proven against the key
/// of their share; the tally is published by the one that completes the threshold.
pub fn decrypt(
    conn: &mut DbConn,
    caller: &Caller,
    vote_id: &str,
    input: PartialDecryption,
    key: &RecordKey,
) -> AppResult<DecryptionProgress> {
    let (vote, ballots_cast, sums) = closed_committee_vote(conn, caller, vote_id)?;
    let committee_id = vote
        .row
        .committee_id
        .clone()
        .ok_or_else(|| AppError::internal("a committee vote without its committee"))?;
    let committee = committee_rows::find(conn, &committee_id)?
        .ok_or_else(|| AppError::internal("a committee vote's committee is missing"))?;
    let seats = committee_rows::seats(conn, &committee_id)?;
    let Some((seat, _)) = seats.iter().find(|(s, _)| s.member_id == caller.member.id) else {
        return Err(AppError::forbidden(
            "Only the members of this vote's counting committee decrypt its totals.",
        ));
    };
    let position = seat.position as u32;
    let manifest = manifest_of(&vote)?;
    let list = ballot_list(conn, &vote)?;
    let summed = threshold::Summed {
        manifest_hash: &manifest,
        ballot_list: Some(&list),
    };
    let commitments = committees::all_commitments(&seats)?;
    let share_key = threshold::share_key(&commitments, position);
    let partials = read_partials(&input, &sums, summed, position, &share_key)?;
    let stored = serde_json::to_string(&input.shares).map_err(AppError::internal)?;
    let threshold = committee.threshold as u32;
    db::write_transaction(conn, |conn| {
        vote_rows::lock_state(conn, vote_id, vote_rows::Lock::Exclusive)?;
        let received = encrypted::partials_of(conn, vote_id)?;
        let published = crate::db::ballots::tally_of(conn, vote_id)?.is_some();
        match received.iter().find(|(p, _)| *p as u32 == position) {
            Some((_, same)) if *same == stored => {}
            Some(_) => {
                return Err(AppError::invalid_state(
                    "You have already sent another partial decryption of this vote; it stands.",
                ))
            }
            // The signed record holds the decryptions that made the tally, and no other.
            None if published => {
                let by: Vec<String> = received.iter().map(|(p, _)| p.to_string()).collect();
                return Err(AppError::invalid_state(format!(
                    "The tally is already published, decrypted by the members at positions {}; \
                     yours is not needed and was not recorded.",
                    by.join(", ")
                )));
            }
            None => encrypted::save_partial(conn, vote_id, position as i32, &stored)?,
        }
        let received = encrypted::partials_of(conn, vote_id)?;
        if !published && received.len() as u32 >= threshold {
            let mut all = Vec::with_capacity(received.len());
            for (p, shares) in &received {
                let shares = serde_json::from_str(shares).map_err(AppError::internal)?;
                let input = PartialDecryption { shares };
                let ours = if *p as u32 == position {
                    partials.clone()
                } else {
                    // Checked when they came in; decoded again here.
                    read_points(&input)?
                };
                all.push((*p as u32, ours));
            }
            let counts = combine(&all, &sums, ballots_cast as u64)?;
            let closed_at = vote
                .row
                .closed_at
                .ok_or_else(|| AppError::internal("a closed vote without its closing time"))?;
            tallies::publish(conn, &vote, closed_at, ballots_cast as u64, counts)?;
            records::seal(conn, &vote, key)?;
        }
        Ok(DecryptionProgress {
            decrypted: received.len() as u32,
            threshold,
            published: published || received.len() as u32 >= threshold,
        })
    })
}

/// Decodes a partial decryption and checks its shape and every proof.
fn read_partials(
    input: &PartialDecryption,
    sums: &[Vec<Ciphertext>],
    summed: threshold::Summed,
    position: u32,
    share_key: &Point,
) -> AppResult<Vec<Vec<Point>>> {
    if input.shares.len() != sums.len()
        || input
            .shares
            .iter()
            .zip(sums)
            .any(|(s, row)| s.len() != row.len())
    {
        return Err(invalid(format!(
            "Send one share per cell: {} rows of {} cells, in ballot order.",
            sums.len(),
            sums.first().map_or(0, Vec::len)
        )));
    }
    let mut out = Vec::with_capacity(sums.len());
    for (i, (row, sum_row)) in input.shares.iter().zip(sums).enumerate() {
        let mut points = Vec::with_capacity(row.len());
        for (j, (share, sum)) in row.iter().zip(sum_row).enumerate() {
            let cell = format!("row {} choice {}", i + 1, j + 1);
            let partial = hex::decode(&share.partial)
                .and_then(|b| decode_point(&b).ok())
                .ok_or_else(|| invalid(format!("The share of {cell} is not a point in hex.")))?;
            let proof = hex::decode(&share.proof)
                .and_then(|b| Equality::from_bytes(&b).ok())
                .ok_or_else(|| invalid(format!("The proof of {cell} is not a proof in hex.")))?;
            let holds = threshold::partial_holds(
                &proof, summed, position, i as u32, j as u32, share_key, &sum.alpha, &partial,
            );
            if !holds {
                return Err(invalid(format!(
                    "The proof of {cell} does not hold: this is not the decryption made with \
                     your share. Nothing was recorded."
                )));
            }
            points.push(partial);
        }
        out.push(points);
    }
    Ok(out)
}

fn read_points(input: &PartialDecryption) -> AppResult<Vec<Vec<Point>>> {
    input
        .shares
        .iter()
        .map(|row| {
            row.iter()
                .map(|s| {
                    hex::decode(&s.partial)
                        .and_then(|b| decode_point(&b).ok())
                        .ok_or_else(|| AppError::internal("a stored partial decryption"))
                })
                .collect()
        })
        .collect()
}

/// Each cell's count from the partial decryptions of its sum.
fn combine(
    partials: &[(u32, Vec<Vec<Point>>)],
    sums: &[Vec<Ciphertext>],
    ballots: u64,
) -> AppResult<Vec<Vec<u64>>> {
    threshold::decrypt_counts(partials, sums, ballots).map_err(|(i, j)| {
        AppError::internal(format_args!(
            "the decrypted total of row {} choice {} is not a count of the ballots cast",
            i + 1,
            j + 1
        ))
    })
}
