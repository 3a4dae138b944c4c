//! One member's part in the count of a closed committee vote (docs/verifiable.md §7). The tool
//! checks every ballot's proofs itself, recomputes each cell's sum, and decrypts those sums and
//! nothing else: never one ballot, whatever the server asks.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use rand_core::OsRng;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::path::Path;
use tinnhiem_crypto::ballot::{
    ballot_list_hash, manifest_hash, BallotContext, EncryptedBallot, Manifest, Shape,
};
use tinnhiem_crypto::elgamal::{add_rows, Ciphertext, JointKey};
use tinnhiem_crypto::group::{decode_nonidentity, decode_scalar};
use tinnhiem_crypto::hex;
use tinnhiem_crypto::proofs::{Context, Equality};

use super::error::ToolError;
use super::session::Session;
use super::share_file::ShareFile;
use crate::shapes::{Committee, DecryptionProgress, EncryptedBallots};

fn distrust(what: impl Into<String>) -> ToolError {
    ToolError::Distrust(what.into())
}

/// Checks every ballot of closed vote `vote_id`, recomputes the sums, and sends this member's
/// partial decryption of them, made with the share in `file`.
pub fn decrypt(
    session: &Session,
    vote_id: &str,
    file: &Path,
    passphrase: &str,
    mut say: impl FnMut(&str),
) -> Result<DecryptionProgress, ToolError> {
    let mut state = ShareFile::load(file, passphrase)?
        .ok_or_else(|| ToolError::ShareFile(format!("{} does not exist", file.display())))?;
    let share = state
        .share
        .as_deref()
        .and_then(hex::decode)
        .and_then(|b| decode_scalar(&b).ok())
        .ok_or_else(|| ToolError::ShareFile("holds no share: finish the ceremony first".into()))?;
    let vote: Value = session.get(&format!("/votes/{vote_id}"))?;
    if vote["committee"]["id"].as_str() != Some(state.committee_id.as_str()) {
        return Err(ToolError::ShareFile(
            "belongs to another committee than this vote's".into(),
        ));
    }
    let committee: Committee = session.get(&format!("/committees/{}", state.committee_id))?;
    if (committee.threshold, committee.size) != (state.threshold, state.size) {
        return Err(distrust(
            "the server describes the committee with another threshold or size than your file",
        ));
    }
    let joint = state
        .joint_key
        .as_deref()
        .filter(|k| committee.joint_key.as_deref() == Some(*k))
        .and_then(hex::decode)
        .and_then(|b| decode_nonidentity(&b).ok())
        .ok_or_else(|| distrust("the committee's key on the server is not the one in your file"))?;
    let subject_ids: Vec<&str> = vote["subjects"]
        .as_array()
        .ok_or_else(|| distrust("the vote lists no subjects"))?
        .iter()
        .filter_map(|s| s["id"].as_str())
        .collect();
    let kind = vote["kind"].as_str().unwrap_or_default();
    let choices = match kind {
        "rating" => 3,
        "confidence" => 2,
        other => return Err(distrust(format!("a vote of unknown kind {other:?}"))),
    };
    let manifest = manifest_hash(&Manifest {
        vote_id,
        council_id: vote["council_id"].as_str().unwrap_or_default(),
        kind,
        choices,
        subject_ids: &subject_ids,
        committee_id: &state.committee_id,
        threshold: committee.threshold,
        size: committee.size,
        joint_key: &joint,
    });
    let shape = Shape {
        rows: subject_ids.len(),
        choices: choices as usize,
    };
    say("Downloading every ballot of the vote, a page at a time, checking each.");
    let key = JointKey::new(joint);
    let mut sums = vec![vec![Ciphertext::zero(); shape.choices]; shape.rows];
    let mut seen_ids = HashSet::new();
    let mut seen_cells = HashSet::new();
    let mut codes = Vec::new();
    let mut first: Option<EncryptedBallots> = None;
    let mut after: Option<String> = None;
    let mut checked = 0usize;
    loop {
        let path = match &after {
            Some(a) => format!("/votes/{vote_id}/ballots?after={a}"),
            None => format!("/votes/{vote_id}/ballots"),
        };
        let page: EncryptedBallots = session.get(&path)?;
        if page.manifest_hash != hex::encode(&manifest) {
            return Err(distrust(
                "the ballots are bound to another vote than the one the server describes",
            ));
        }
        if let Some(f) = &first {
            if (f.ballots_cast, &f.sums) != (page.ballots_cast, &page.sums) {
                return Err(distrust("the server changed the sums between two pages"));
            }
        }
        for (id, code, cells, part) in check_page(&page, &manifest, &key, shape)? {
            if !seen_ids.insert(id) || !seen_cells.insert(cells) {
                return Err(distrust("a ballot is given twice"));
            }
            codes.push(code);
            add_rows(&mut sums, &part);
        }
        checked += page.ballots.len();
        say(&format!(
            "{checked} of {} ballots checked.",
            page.ballots_cast
        ));
        after = page.next.clone();
        if first.is_none() {
            first = Some(EncryptedBallots {
                ballots: Vec::new(),
                ..page
            });
        }
        if after.is_none() {
            break;
        }
    }
    let record = first.ok_or_else(|| distrust("no page of ballots was given"))?;
    if checked != record.ballots_cast as usize {
        return Err(distrust(format!(
            "{checked} ballots are given for {} cast",
            record.ballots_cast
        )));
    }
    let ours: Vec<Vec<String>> = sums
        .iter()
        .map(|row| row.iter().map(|c| hex::encode(&c.to_bytes())).collect())
        .collect();
    if ours != record.sums {
        return Err(distrust(
            "the server's sums are not the sums of the ballots it gave: refusing to decrypt them",
        ));
    }
    // The decryption is bound to the list of ballots checked here: a list changed afterwards,
    // even with the same sums, no longer matches it.
    let list = ballot_list_hash(&manifest, &codes);
    if hex::encode(&list) != record.ballot_list_hash {
        return Err(distrust(
            "the server names another list of ballots than the one it gave: refusing to decrypt",
        ));
    }
    let summed = tinnhiem_crypto::threshold::Summed {
        manifest_hash: &manifest,
        ballot_list: Some(&list),
    };
    // The sums of one list of ballots are decrypted once: whatever the server shows next, the
    // tool never decrypts other sums for the same vote (say, those of a chosen few ballots),
    // nor the same sums for another list (the list with two ballots added that cancel out).
    let digest = {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        for cell in ours.iter().flatten() {
            h.update(cell.as_bytes());
        }
        h.update(hex::encode(&list).as_bytes());
        hex::encode(&h.finalize())
    };
    match state.decrypted.iter().find(|(v, _)| v == vote_id) {
        Some((_, done)) if *done != digest => {
            return Err(distrust(
                "you already decrypted other sums, or the same sums of another list of ballots, \
                 for this vote: refusing to decrypt these",
            ))
        }
        Some(_) => {}
        None => {
            state.decrypted.push((vote_id.to_owned(), digest));
            state.save(file, passphrase)?;
        }
    }
    say(&format!(
        "{checked} ballots, every one checked; the sums are theirs. Decrypting the sums only."
    ));
    let shares: Vec<Vec<Value>> = sums
        .iter()
        .enumerate()
        .map(|(i, row)| {
            row.iter()
                .enumerate()
                .map(|(j, sum)| {
                    let fields = tinnhiem_crypto::threshold::decryption_fields(
                        summed,
                        state.position,
                        i as u32,
                        j as u32,
                    );
                    let refs: Vec<&[u8]> = fields.iter().map(Vec::as_slice).collect();
                    let context = Context {
                        tag: b"partial-decryption",
                        fields: &refs,
                    };
                    let proof = Equality::prove(&context, &share, &sum.alpha, &mut OsRng);
                    json!({
                        "partial": hex::encode(&(share * sum.alpha).compress().to_bytes()),
                        "proof": hex::encode(&proof.to_bytes()),
                    })
                })
                .collect()
        })
        .collect();
    session.post(
        &format!("/votes/{vote_id}/decryptions"),
        &json!({ "shares": shares }),
    )
}

/// What a checked ballot adds: its id, its tracking code, the hash of its ciphertexts, and its
/// ciphertexts.
type Checked = ([u8; 16], [u8; 32], [u8; 32], Vec<Vec<Ciphertext>>);

/// Checks every ballot of a page (proofs, tracking code), on every core of this device.
fn check_page(
    page: &EncryptedBallots,
    manifest: &[u8; 32],
    key: &JointKey,
    shape: Shape,
) -> Result<Vec<Checked>, ToolError> {
    let parts = crate::parallel::on_every_core(&page.ballots, |part| {
        part.iter()
            .map(|stored| check_ballot(stored, manifest, key, shape))
            .collect::<Result<Vec<Checked>, ToolError>>()
    });
    let mut out = Vec::with_capacity(page.ballots.len());
    for part in parts {
        out.extend(part.ok_or_else(|| distrust("a checking thread stopped"))??);
    }
    Ok(out)
}

fn check_ballot(
    stored: &crate::shapes::StoredBallot,
    manifest: &[u8; 32],
    key: &JointKey,
    shape: Shape,
) -> Result<Checked, ToolError> {
    let id: [u8; 16] = hex::decode(&stored.ballot_id)
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| distrust("a ballot id that is not 16 bytes"))?;
    let bytes = BASE64
        .decode(stored.ballot.as_bytes())
        .map_err(|_| distrust("a ballot that is not base64"))?;
    let context = BallotContext {
        manifest_hash: *manifest,
        key,
        ballot_id: id,
    };
    let ballot = EncryptedBallot::verify_encoded(&bytes, &context, shape, &mut OsRng)
        .map_err(|e| distrust(format!("ballot {}: {e}", stored.tracking_code)))?;
    let code = ballot.tracking_code(manifest, &id);
    if hex::encode(&code) != stored.tracking_code {
        return Err(distrust("a ballot's tracking code is not its own"));
    }
    let cells = ballot
        .rows
        .iter()
        .map(|r| r.cells.iter().map(|c| c.ciphertext).collect())
        .collect();
    Ok((id, code, ballot.cells_hash(), cells))
}
