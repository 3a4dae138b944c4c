//! Casting in a committee vote (docs/verifiable.md §5): the tablet encrypts under the
//! committee's joint key, for the ballot id issued with its ballot; the server checks every
//! proof and stores ciphertexts only. It never sees a mark.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use tinnhiem_crypto::ballot::{manifest_hash, BallotContext, EncryptedBallot, Manifest, Shape};
use tinnhiem_crypto::elgamal::JointKey;
use tinnhiem_crypto::group::decode_nonidentity;
use tinnhiem_crypto::{hex, Point};

use super::eligibility::{check_castable, CastContent, PendingCast};
use super::visible::LoadedVote;
use super::Caller;
use crate::db::committees as committee_rows;
use crate::db::encrypted::{self, EncryptedRow};
use crate::db::votes as vote_rows;
use crate::db::DbConn;
use crate::domain::{CommitteeState, Secrecy};
use crate::error::{AppError, AppResult, Problem};
use crate::shapes::{EncryptedCast, Encryption};

fn invalid(detail: impl Into<String>) -> AppError {
    AppError::new(Problem::InvalidBallot, detail)
}

/// The committee's joint key, which must exist for the vote to have opened.
fn joint_key(
    conn: &mut DbConn,
    vote: &LoadedVote,
) -> AppResult<(Point, committee_rows::CommitteeRow)> {
    let id = vote
        .row
        .committee_id
        .as_deref()
        .ok_or_else(|| AppError::internal("a committee vote without its committee"))?;
    let committee = committee_rows::find(conn, id)?
        .ok_or_else(|| AppError::internal("a committee vote's committee is missing"))?;
    let key = committee
        .joint_key
        .as_deref()
        .filter(|_| committee.state == CommitteeState::Ready.as_str())
        .and_then(hex::decode)
        .and_then(|b| decode_nonidentity(&b).ok())
        .ok_or_else(|| AppError::internal("a committee vote's key is missing or unreadable"))?;
    Ok((key, committee))
}

/// Fixes what the vote's ballots are bound to, as it opens (its committee's key is made).
pub fn fix_manifest(conn: &mut DbConn, vote: &LoadedVote) -> AppResult<()> {
    let (key, committee) = joint_key(conn, vote)?;
    let subject_ids = vote_rows::subject_ids_of(conn, &vote.row.id)?;
    let ids: Vec<&str> = subject_ids.iter().map(String::as_str).collect();
    let hash = manifest_hash(&Manifest {
        vote_id: &vote.row.id,
        council_id: &vote.row.council_id,
        kind: vote.kind.as_str(),
        choices: vote.kind.choices().len() as u32,
        subject_ids: &ids,
        committee_id: &committee.id,
        threshold: committee.threshold as u32,
        size: committee.size as u32,
        joint_key: &key,
    });
    encrypted::set_manifest_hash(conn, &vote.row.id, &hex::encode(&hash))?;
    Ok(())
}

/// What an elector who has not cast needs to encrypt their ballot, with its ballot id (issued
/// now if it was not yet). `None` for a server vote, or once they have cast.
pub fn encryption(
    conn: &mut DbConn,
    caller: &Caller,
    vote: &LoadedVote,
) -> AppResult<Option<Encryption>> {
    if vote.secrecy != Secrecy::Committee {
        return Ok(None);
    }
    let Some(manifest) = vote.row.manifest_hash.clone() else {
        return Ok(None);
    };
    let Some(ballot_id) = encrypted::issue_ballot_id(conn, &vote.row.id, &caller.member.id)? else {
        return Ok(None);
    };
    let (key, _) = joint_key(conn, vote)?;
    Ok(Some(Encryption {
        protocol: String::from_utf8_lossy(tinnhiem_crypto::transcript::PROTOCOL).into_owned(),
        ballot_id,
        manifest_hash: manifest,
        joint_key: hex::encode(&key.compress().to_bytes()),
        choices: vote.kind.choices().len() as u32,
    }))
}

/// An encrypted cast that passed every check but its proofs, with what verifying them needs.
pub struct Prepared {
    vote_id: String,
    member_id: String,
    token_version: i32,
    ballot_id: [u8; 16],
    bytes: Vec<u8>,
    manifest_hash: [u8; 32],
    key: Point,
    shape: Shape,
}

/// Every check of an encrypted cast that reads the database, in the order their answers take
/// precedence: the vote is visible (404), the caller is an elector (403), it is open and they
/// have not cast (409), then the ballot is for this vote and this elector's ballot id (422).
pub fn prepare(
    conn: &mut DbConn,
    caller: &Caller,
    vote_id: &str,
    input: EncryptedCast,
) -> AppResult<Prepared> {
    let vote = check_castable(conn, caller, vote_id)?;
    if vote.secrecy != Secrecy::Committee {
        return Err(invalid(
            "This vote is not a committee vote: cast your marks as {\"marks\": {…}}.",
        ));
    }
    let manifest = vote
        .row
        .manifest_hash
        .as_deref()
        .and_then(hex::decode)
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .ok_or_else(|| AppError::internal("an open committee vote without its manifest"))?;
    let issued = encrypted::issue_ballot_id(conn, vote_id, &caller.member.id)?;
    if issued.as_deref() != Some(input.ballot_id.as_str()) {
        return Err(invalid(
            "Nothing was recorded: this ballot was encrypted for another ballot id. Fetch your \
             ballot again and encrypt it afresh for the id it carries.",
        ));
    }
    let ballot_id = hex::decode(&input.ballot_id)
        .and_then(|b| <[u8; 16]>::try_from(b).ok())
        .ok_or_else(|| AppError::internal("a stored ballot id that is not 16 bytes"))?;
    let bytes = BASE64
        .decode(input.ballot.as_bytes())
        .map_err(|_| invalid("Nothing was recorded: encrypted.ballot is not base64."))?;
    let (key, _) = joint_key(conn, &vote)?;
    let shape = Shape {
        rows: vote_rows::subject_ids_of(conn, vote_id)?.len(),
        choices: vote.kind.choices().len(),
    };
    Ok(Prepared {
        vote_id: vote.row.id,
        member_id: caller.member.id.clone(),
        token_version: caller.member.token_version,
        ballot_id,
        bytes,
        manifest_hash: manifest,
        key,
        shape,
    })
}

/// Checks the ballot's form and every proof (CPU work: run it off the async workers). The
/// cast, ready for the writer, and its tracking code.
pub fn verify(prepared: Prepared) -> AppResult<(PendingCast, String)> {
    let refused = |why: String| invalid(format!("Nothing was recorded: {why}."));
    let key = JointKey::new(prepared.key);
    let context = BallotContext {
        manifest_hash: prepared.manifest_hash,
        key: &key,
        ballot_id: prepared.ballot_id,
    };
    let ballot = EncryptedBallot::verify_encoded(
        &prepared.bytes,
        &context,
        prepared.shape,
        &mut rand_core::OsRng,
    )
    .map_err(|e| refused(e.to_string()))?;
    let tracking_code =
        hex::encode(&ballot.tracking_code(&prepared.manifest_hash, &prepared.ballot_id));
    let row = EncryptedRow {
        id: hex::encode(&prepared.ballot_id),
        vote_id: prepared.vote_id.clone(),
        ballot: BASE64.encode(&prepared.bytes),
        cells_hash: hex::encode(&ballot.cells_hash()),
        tracking_code: tracking_code.clone(),
    };
    Ok((
        PendingCast {
            vote_id: prepared.vote_id,
            member_id: prepared.member_id,
            token_version: prepared.token_version,
            content: CastContent::Encrypted(Box::new(row)),
        },
        tracking_code,
    ))
}

/// Stores an encrypted cast inside the writer's transaction (the vote is open): refused as a
/// copy if the vote holds its ciphertexts already; `false` if the elector cannot cast it (the
/// same checks as any cast then give the answer). Writes nothing unless it stores the ballot.
pub fn record(
    conn: &mut DbConn,
    cast: &PendingCast,
    row: &EncryptedRow,
) -> diesel::QueryResult<AppResult<bool>> {
    if encrypted::is_copy(conn, &cast.vote_id, &row.cells_hash)? {
        return Ok(Err(invalid(
            "Nothing was recorded: this vote already holds a ballot with these ciphertexts. \
             Encrypt your own ballot.",
        )));
    }
    let marked = encrypted::mark_cast(
        conn,
        &cast.vote_id,
        &cast.member_id,
        cast.token_version,
        &row.id,
    )?;
    if marked {
        encrypted::insert(conn, row)?;
    }
    Ok(Ok(marked))
}
