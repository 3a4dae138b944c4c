//! A ballot in the record's compact form (docs/verifiable.md §5.6): every proof without its
//! commitments, which whoever checks recomputes from the challenges and responses. It is what
//! a committee vote's record publishes: 31 KB instead of 53 KB for 44 subjects of 3 choices,
//! at the price of checking one proof at a time instead of in one batch.

use crate::ballot::{BallotContext, Cell, EncryptedBallot, Refusal, Row, Shape};
use crate::ballot::{CELL_BYTES, ROW_PROOF_BYTES};
use crate::elgamal::Ciphertext;
use crate::proofs::ZeroOrOne;

/// A cell in the compact form: its ciphertext and c0 ‖ c1 ‖ v0 ‖ v1.
pub const COMPACT_CELL_BYTES: usize = 64 + 128;
/// A row's sum proof in the compact form.
pub const COMPACT_ROW_PROOF_BYTES: usize = 128;

/// The bytes of a compact ballot of `shape`.
pub fn compact_len(shape: Shape) -> usize {
    shape.rows * (shape.choices * COMPACT_CELL_BYTES + COMPACT_ROW_PROOF_BYTES)
}

/// The compact form of a ballot's bytes (§5.2), by dropping each proof's 128 bytes of
/// commitments; nothing is decoded. `None` when `full` is not the length of a ballot of `shape`.
pub fn compact(full: &[u8], shape: Shape) -> Option<Vec<u8>> {
    let row_bytes = shape.choices * CELL_BYTES + ROW_PROOF_BYTES;
    if full.len() != shape.rows * row_bytes {
        return None;
    }
    let mut out = Vec::with_capacity(compact_len(shape));
    for row in full.chunks(row_bytes) {
        let (cells, sum_proof) = row.split_at(shape.choices * CELL_BYTES);
        for cell in cells.chunks(CELL_BYTES) {
            out.extend_from_slice(&cell[..64]);
            out.extend_from_slice(&cell[64 + 128..]);
        }
        out.extend_from_slice(&sum_proof[128..]);
    }
    Some(out)
}

/// Decodes a compact ballot of `shape` and checks every proof, each recomputed from its
/// challenges and responses and then held to its challenge. The ballot returned carries the
/// recomputed commitments, so [`EncryptedBallot::to_bytes`] gives back the full form.
pub fn verify_compact(
    bytes: &[u8],
    context: &BallotContext,
    shape: Shape,
) -> Result<EncryptedBallot, Refusal> {
    let row_bytes = shape.choices * COMPACT_CELL_BYTES + COMPACT_ROW_PROOF_BYTES;
    if bytes.len() != compact_len(shape) {
        return Err(Refusal::Form(format!(
            "{} bytes, where a compact ballot of {} rows of {} choices has {}",
            bytes.len(),
            shape.rows,
            shape.choices,
            compact_len(shape)
        )));
    }
    let bad = |what: &str, i: usize, e: crate::DecodeError| {
        Refusal::Form(format!("row {}: {what} {e}", i + 1))
    };
    let mut rows = Vec::with_capacity(shape.rows);
    for (i, raw) in bytes.chunks(row_bytes).enumerate() {
        let (cells_raw, sum_raw) = raw.split_at(shape.choices * COMPACT_CELL_BYTES);
        let mut cells = Vec::with_capacity(shape.choices);
        for (j, cell) in cells_raw.chunks(COMPACT_CELL_BYTES).enumerate() {
            let ciphertext =
                Ciphertext::from_bytes(&cell[..64]).map_err(|e| bad("a ciphertext", i, e))?;
            let proof = ZeroOrOne::from_compact(&cell[64..], context.key, &ciphertext)
                .map_err(|e| bad("a cell proof", i, e))?;
            let holds = context.cell_proof(i as u32, j as u32, |c| {
                proof.challenge_holds(c, context.key, &ciphertext)
            });
            if !holds {
                return Err(Refusal::Cell { row: i, col: j });
            }
            cells.push(Cell { ciphertext, proof });
        }
        let sum = Ciphertext::sum(cells.iter().map(|c| &c.ciphertext));
        let sum_proof = ZeroOrOne::from_compact(sum_raw, context.key, &sum)
            .map_err(|e| bad("the row proof", i, e))?;
        if !context.row_proof(i as u32, |c| {
            sum_proof.challenge_holds(c, context.key, &sum)
        }) {
            return Err(Refusal::Row { row: i });
        }
        rows.push(Row { cells, sum_proof });
    }
    Ok(EncryptedBallot { rows })
}
