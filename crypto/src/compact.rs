//! A ballot in the record's compact form (docs/verifiable.md §5.6): every proof without its
//! commitments, which whoever checks recomputes from the challenges and responses. It is what
//! a committee vote's record publishes: 31 KB instead of 53 KB for 44 subjects of 3 choices,
//! at the price of checking one proof at a time instead of in one batch.

use crate::ballot::{cell_ciphertext, BallotContext, Cell, EncryptedBallot, Refusal, Row, Shape};
use crate::ballot::{CELL_BYTES, ROW_PROOF_BYTES};
use curve25519_dalek::ristretto::{RistrettoPoint, VartimeRistrettoPrecomputation};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::VartimePrecomputedMultiscalarMul;

use crate::elgamal::Ciphertext;
use crate::group::{base_mul, decode_scalar};
use crate::proofs::{challenge_of_encodings, Context, ZeroOrOne};

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

/// One proof to recompute: its statement's ciphertext (as bytes too) and its four scalars.
struct Pending<'a> {
    row: usize,
    /// `Some(j)` for cell j's proof, `None` for the row's sum proof.
    col: Option<usize>,
    ciphertext: Ciphertext,
    encoded: std::borrow::Cow<'a, [u8]>,
    c0: Scalar,
    c1: Scalar,
    v0: Scalar,
    v1: Scalar,
}

/// Decodes a compact ballot of `shape` and checks every proof, each recomputed from its
/// challenges and responses and then held to its challenge. The ballot returned carries the
/// recomputed commitments, so [`EncryptedBallot::to_bytes`] gives back the full form.
///
/// The commitments are computed halved and then doubled and compressed all together, which
/// costs one field inversion for the whole ballot instead of one per commitment.
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
    let scalars = |raw: &[u8], what: &str, i: usize| -> Result<[Scalar; 4], Refusal> {
        let mut out = [Scalar::ZERO; 4];
        for (k, s) in out.iter_mut().enumerate() {
            *s = decode_scalar(&raw[32 * k..32 * (k + 1)]).map_err(|e| bad(what, i, e))?;
        }
        Ok(out)
    };
    let mut pending = Vec::with_capacity(shape.rows * (shape.choices + 1));
    for (i, raw) in bytes.chunks(row_bytes).enumerate() {
        let (cells_raw, sum_raw) = raw.split_at(shape.choices * COMPACT_CELL_BYTES);
        let mut sum = Ciphertext::zero();
        for (j, cell) in cells_raw.chunks(COMPACT_CELL_BYTES).enumerate() {
            let ciphertext = cell_ciphertext(&cell[..64], i)?;
            sum = sum.add(&ciphertext);
            let [c0, c1, v0, v1] = scalars(&cell[64..], "a cell proof", i)?;
            pending.push(Pending {
                row: i,
                col: Some(j),
                ciphertext,
                encoded: std::borrow::Cow::Borrowed(&cell[..64]),
                c0,
                c1,
                v0,
                v1,
            });
        }
        let [c0, c1, v0, v1] = scalars(sum_raw, "the row proof", i)?;
        pending.push(Pending {
            row: i,
            col: None,
            ciphertext: sum,
            encoded: std::borrow::Cow::Owned(sum.to_bytes().to_vec()),
            c0,
            c1,
            v0,
            v1,
        });
    }
    // Each commitment halved: a0/2 = (v0/2)·G − (c0/2)·α, and so on (docs/verifiable.md §4.1).
    let half = Scalar::from(2u8).invert();
    let g = base_mul(&Scalar::ONE);
    let k_table = VartimeRistrettoPrecomputation::new([context.key.point]);
    let on_k = |a: Scalar, b: Scalar, p: RistrettoPoint| {
        k_table.vartime_mixed_multiscalar_mul([a], [b], [p])
    };
    let mut halves = Vec::with_capacity(4 * pending.len());
    for p in &pending {
        let (c0, c1, v0, v1) = (p.c0 * half, p.c1 * half, p.v0 * half, p.v1 * half);
        let (alpha, beta) = (p.ciphertext.alpha, p.ciphertext.beta);
        halves.push(RistrettoPoint::vartime_double_scalar_mul_basepoint(
            &-c0, &alpha, &v0,
        ));
        halves.push(on_k(v0, -c0, beta));
        halves.push(RistrettoPoint::vartime_double_scalar_mul_basepoint(
            &-c1, &alpha, &v1,
        ));
        halves.push(on_k(v1, -c1, beta - g));
    }
    let compressed = RistrettoPoint::double_and_compress_batch(&halves);
    let mut rows: Vec<Row> = Vec::with_capacity(shape.rows);
    for (p, (encodings, halves)) in pending
        .iter()
        .zip(compressed.chunks(4).zip(halves.chunks(4)))
    {
        let c = |ctx: &Context| {
            challenge_of_encodings(
                ctx,
                context.key,
                &p.encoded,
                [
                    encodings[0].as_bytes(),
                    encodings[1].as_bytes(),
                    encodings[2].as_bytes(),
                    encodings[3].as_bytes(),
                ],
            )
        };
        let challenge = match p.col {
            Some(j) => context.cell_proof(p.row as u32, j as u32, c),
            None => context.row_proof(p.row as u32, c),
        };
        if p.c0 + p.c1 != challenge {
            return Err(match p.col {
                Some(col) => Refusal::Cell { row: p.row, col },
                None => Refusal::Row { row: p.row },
            });
        }
        let proof = ZeroOrOne {
            a0: halves[0] + halves[0],
            b0: halves[1] + halves[1],
            a1: halves[2] + halves[2],
            b1: halves[3] + halves[3],
            c0: p.c0,
            c1: p.c1,
            v0: p.v0,
            v1: p.v1,
        };
        match p.col {
            Some(_) => {
                if rows.len() == p.row {
                    rows.push(Row {
                        cells: Vec::with_capacity(shape.choices),
                        sum_proof: proof,
                    });
                }
                rows[p.row].cells.push(Cell {
                    ciphertext: p.ciphertext,
                    proof,
                });
            }
            None => rows[p.row].sum_proof = proof,
        }
    }
    Ok(EncryptedBallot { rows })
}
