//! A whole encrypted ballot: for each subject (row) one ciphertext per choice (cell), a proof
//! that each cell holds 0 or 1, and a proof that the row's sum holds 0 or 1 (0 is a blank
//! row). Verified in one batch; named by a tracking code.

use curve25519_dalek::scalar::Scalar;
use rand_core::CryptoRngCore;
use sha2::{Digest, Sha256};

use crate::elgamal::{Ciphertext, JointKey};
use crate::group::{random_scalar, DecodeError, Weights};
use crate::proofs::{Batch, Context, ZeroOrOne};
use crate::transcript::framed_sha256;

/// Size of a cell on the wire: its ciphertext and its proof.
pub const CELL_BYTES: usize = 64 + 256;
/// Size of a row's sum proof on the wire.
pub const ROW_PROOF_BYTES: usize = 256;

/// What every proof of a ballot is bound to: the vote (its manifest's hash), the joint key, and
/// the ballot id issued for this one cast, so that a copied or replayed ballot fails.
pub struct BallotContext<'a> {
    pub manifest_hash: [u8; 32],
    pub key: &'a JointKey,
    pub ballot_id: [u8; 16],
}

impl BallotContext<'_> {
    pub(crate) fn cell_proof<R>(&self, row: u32, col: u32, f: impl FnOnce(&Context) -> R) -> R {
        let (row, col) = (row.to_be_bytes(), col.to_be_bytes());
        f(&Context {
            tag: b"cell",
            fields: &[&self.manifest_hash, &self.ballot_id, &row, &col],
        })
    }

    pub(crate) fn row_proof<R>(&self, row: u32, f: impl FnOnce(&Context) -> R) -> R {
        let row = row.to_be_bytes();
        f(&Context {
            tag: b"row",
            fields: &[&self.manifest_hash, &self.ballot_id, &row],
        })
    }
}

/// The shape of a ballot: how many subjects (rows) and choices per row (cells).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    pub rows: usize,
    pub choices: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub ciphertext: Ciphertext,
    pub proof: ZeroOrOne,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub cells: Vec<Cell>,
    pub sum_proof: ZeroOrOne,
}

impl Row {
    pub fn sum(&self) -> Ciphertext {
        Ciphertext::sum(self.cells.iter().map(|c| &c.ciphertext))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncryptedBallot {
    pub rows: Vec<Row>,
}

/// What a ballot encrypts and the randomness that made it: shown only for a ballot the
/// delegate challenges (which is then never cast), never for a cast one.
#[derive(Debug, Clone)]
pub struct Opening {
    /// The choice marked on each row, or `None` for a blank row.
    pub marks: Vec<Option<usize>>,
    pub randomness: Vec<Vec<Scalar>>,
}

/// Why a ballot was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The bytes are not a ballot of this vote's shape, or hold a bad encoding.
    Form(String),
    /// A cell's proof fails: it may encrypt something other than 0 or 1.
    Cell { row: usize, col: usize },
    /// A row's sum proof fails: the row may hold more than one mark.
    Row { row: usize },
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Form(why) => write!(f, "the encrypted ballot is not well formed: {why}"),
            Refusal::Cell { row, col } => write!(
                f,
                "the proof of row {} choice {} does not hold: that cell may not encrypt 0 or 1",
                row + 1,
                col + 1
            ),
            Refusal::Row { row } => write!(
                f,
                "the proof of row {} does not hold: the row may hold more than one mark",
                row + 1
            ),
        }
    }
}

impl std::error::Error for Refusal {}

impl EncryptedBallot {
    /// Encrypts `marks` (one entry per row: the chosen cell, or `None`) with fresh randomness.
    pub fn encrypt(
        context: &BallotContext,
        shape: Shape,
        marks: &[Option<usize>],
        rng: &mut impl CryptoRngCore,
    ) -> (EncryptedBallot, Opening) {
        EncryptedBallot::encrypt_drawing(context, shape, marks, rng, |_, _, rng| random_scalar(rng))
    }

    /// Encrypts `marks` with the randomness given, cell by cell (proofs still draw from `rng`):
    /// for tests that build a ballot with a purpose, e.g. one whose ciphertexts cancel
    /// another's. A real ballot's randomness comes from [`EncryptedBallot::encrypt`].
    pub fn encrypt_with(
        context: &BallotContext,
        shape: Shape,
        marks: &[Option<usize>],
        randomness: &[Vec<Scalar>],
        rng: &mut impl CryptoRngCore,
    ) -> (EncryptedBallot, Opening) {
        EncryptedBallot::encrypt_drawing(context, shape, marks, rng, |i, j, _| randomness[i][j])
    }

    fn encrypt_drawing<R: CryptoRngCore>(
        context: &BallotContext,
        shape: Shape,
        marks: &[Option<usize>],
        rng: &mut R,
        mut draw: impl FnMut(usize, usize, &mut R) -> Scalar,
    ) -> (EncryptedBallot, Opening) {
        assert_eq!(marks.len(), shape.rows, "one mark or blank per row");
        let mut rows = Vec::with_capacity(shape.rows);
        let mut randomness = Vec::with_capacity(shape.rows);
        for (i, mark) in marks.iter().enumerate() {
            assert!(mark.is_none_or(|m| m < shape.choices), "a known choice");
            let rs: Vec<Scalar> = (0..shape.choices).map(|j| draw(i, j, rng)).collect();
            let cells: Vec<Cell> = rs
                .iter()
                .enumerate()
                .map(|(j, r)| {
                    let m = u64::from(*mark == Some(j));
                    let ciphertext = Ciphertext::encrypt(context.key, m, r);
                    let proof = context.cell_proof(i as u32, j as u32, |c| {
                        ZeroOrOne::prove(c, context.key, &ciphertext, m, r, rng)
                    });
                    Cell { ciphertext, proof }
                })
                .collect();
            let sum = Ciphertext::sum(cells.iter().map(|c| &c.ciphertext));
            let r_sum: Scalar = rs.iter().sum();
            let m_sum = u64::from(mark.is_some());
            let sum_proof = context.row_proof(i as u32, |c| {
                ZeroOrOne::prove(c, context.key, &sum, m_sum, &r_sum, rng)
            });
            rows.push(Row { cells, sum_proof });
            randomness.push(rs);
        }
        let opening = Opening {
            marks: marks.to_vec(),
            randomness,
        };
        (EncryptedBallot { rows }, opening)
    }

    /// Checks every cell and row proof, all in one multiscalar multiplication; when anything
    /// fails, each proof is checked alone, in order, to name the first that fails.
    pub fn verify(
        &self,
        context: &BallotContext,
        shape: Shape,
        rng: &mut impl CryptoRngCore,
    ) -> Result<(), Refusal> {
        self.check_shape(shape)?;
        EncryptedBallot::verify_encoded(&self.to_bytes(), context, shape, rng).map(|_| ())
    }

    /// Decodes `bytes` (§5.2) as a ballot of `shape` and checks it as [`EncryptedBallot::verify`]
    /// does, hashing the encodings as received rather than compressing every point again.
    pub fn verify_encoded(
        bytes: &[u8],
        context: &BallotContext,
        shape: Shape,
        rng: &mut impl CryptoRngCore,
    ) -> Result<EncryptedBallot, Refusal> {
        let ballot = EncryptedBallot::from_bytes(bytes, shape)?;
        let row_bytes = shape.choices * CELL_BYTES + ROW_PROOF_BYTES;
        let mut batch = Batch::with_capacity(shape.rows * (shape.choices + 1));
        let mut weights = Weights::new(rng);
        let mut challenges_hold = true;
        for (i, (row, raw)) in ballot.rows.iter().zip(bytes.chunks(row_bytes)).enumerate() {
            for (j, (cell, raw)) in row.cells.iter().zip(raw.chunks(CELL_BYTES)).enumerate() {
                let (ciphertext, proof) = raw.split_at(64);
                challenges_hold &= context.cell_proof(i as u32, j as u32, |c| {
                    cell.proof
                        .challenge_holds_encoded(c, context.key, ciphertext, proof)
                });
                batch.push(cell.proof.equations(&cell.ciphertext, &mut weights));
            }
            let sum = row.sum();
            let proof = &raw[shape.choices * CELL_BYTES..];
            challenges_hold &= context.row_proof(i as u32, |c| {
                row.sum_proof
                    .challenge_holds_encoded(c, context.key, &sum.to_bytes(), proof)
            });
            batch.push(row.sum_proof.equations(&sum, &mut weights));
        }
        if challenges_hold && batch.holds(context.key) {
            return Ok(ballot);
        }
        Err(ballot.first_failure(context, rng))
    }

    fn first_failure(&self, context: &BallotContext, rng: &mut impl CryptoRngCore) -> Refusal {
        for (i, row) in self.rows.iter().enumerate() {
            for (j, cell) in row.cells.iter().enumerate() {
                let ok = context.cell_proof(i as u32, j as u32, |c| {
                    cell.proof.verify(c, context.key, &cell.ciphertext, rng)
                });
                if !ok {
                    return Refusal::Cell { row: i, col: j };
                }
            }
            let sum = row.sum();
            if !context.row_proof(i as u32, |c| {
                row.sum_proof.verify(c, context.key, &sum, rng)
            }) {
                return Refusal::Row { row: i };
            }
        }
        // Unreachable unless the batch's random weights were unlucky (chance 2^-128).
        Refusal::Form("the proofs do not hold together".into())
    }

    fn check_shape(&self, shape: Shape) -> Result<(), Refusal> {
        if self.rows.len() != shape.rows {
            return Err(Refusal::Form(format!(
                "{} rows, where the ballot has {}",
                self.rows.len(),
                shape.rows
            )));
        }
        if let Some(i) = self
            .rows
            .iter()
            .position(|r| r.cells.len() != shape.choices)
        {
            return Err(Refusal::Form(format!(
                "row {} has {} cells, where each row has {}",
                i + 1,
                self.rows[i].cells.len(),
                shape.choices
            )));
        }
        Ok(())
    }

    /// Row by row: each cell's ciphertext and proof, then the row's sum proof.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for row in &self.rows {
            for cell in &row.cells {
                out.extend_from_slice(&cell.ciphertext.to_bytes());
                out.extend_from_slice(&cell.proof.to_bytes());
            }
            out.extend_from_slice(&row.sum_proof.to_bytes());
        }
        out
    }

    pub fn from_bytes(bytes: &[u8], shape: Shape) -> Result<EncryptedBallot, Refusal> {
        let row_bytes = full_length(bytes, shape)?;
        let bad = |what: &str, i: usize, e: DecodeError| {
            Refusal::Form(format!("row {}: {what} {e}", i + 1))
        };
        let rows = bytes
            .chunks(row_bytes)
            .enumerate()
            .map(|(i, row)| {
                let (cells, proof) = row.split_at(shape.choices * CELL_BYTES);
                let cells = cells
                    .chunks(CELL_BYTES)
                    .map(|cell| {
                        Ok(Cell {
                            ciphertext: cell_ciphertext(&cell[..64], i)?,
                            proof: ZeroOrOne::from_bytes(&cell[64..])
                                .map_err(|e| bad("a cell proof", i, e))?,
                        })
                    })
                    .collect::<Result<Vec<Cell>, Refusal>>()?;
                Ok(Row {
                    cells,
                    sum_proof: ZeroOrOne::from_bytes(proof)
                        .map_err(|e| bad("the row proof", i, e))?,
                })
            })
            .collect::<Result<Vec<Row>, Refusal>>()?;
        Ok(EncryptedBallot { rows })
    }

    /// Only the ciphertexts of a ballot's bytes (§5.2), row by row, without decoding its proofs:
    /// what a sum needs from a ballot already verified.
    pub fn ciphertexts_of(bytes: &[u8], shape: Shape) -> Result<Vec<Vec<Ciphertext>>, Refusal> {
        let row_bytes = full_length(bytes, shape)?;
        bytes
            .chunks(row_bytes)
            .enumerate()
            .map(|(i, row)| {
                row[..shape.choices * CELL_BYTES]
                    .chunks(CELL_BYTES)
                    .map(|cell| cell_ciphertext(&cell[..64], i))
                    .collect()
            })
            .collect()
    }

    /// SHA-256 over the protocol, the vote, the ballot id and every ciphertext in order: what
    /// a delegate looks up in the record. It says nothing about what the ballot holds.
    pub fn tracking_code(&self, manifest_hash: &[u8; 32], ballot_id: &[u8; 16]) -> [u8; 32] {
        let cells: Vec<[u8; 64]> = self
            .rows
            .iter()
            .flat_map(|row| row.cells.iter().map(|cell| cell.ciphertext.to_bytes()))
            .collect();
        tracking_code_of(manifest_hash, ballot_id, cells.iter().map(|c| c.as_slice()))
    }
}

impl Opening {
    /// Whether `ballot` is exactly the encryption of these marks with this randomness: the
    /// check a delegate runs on a challenged ballot, on a device the server does not control.
    pub fn opens(&self, key: &JointKey, ballot: &EncryptedBallot) -> bool {
        self.marks.len() == ballot.rows.len()
            && self.randomness.len() == ballot.rows.len()
            && self
                .marks
                .iter()
                .zip(&ballot.rows)
                .all(|(m, row)| m.is_none_or(|m| m < row.cells.len()))
            && ballot.rows.iter().enumerate().all(|(i, row)| {
                row.cells.len() == self.randomness[i].len()
                    && row.cells.iter().enumerate().all(|(j, cell)| {
                        let m = u64::from(self.marks[i] == Some(j));
                        cell.ciphertext == Ciphertext::encrypt(key, m, &self.randomness[i][j])
                    })
            })
    }
}

/// The tracking code (§5.4) from the cells' ciphertexts as encoded (α ‖ β each), row by row:
/// no point is compressed again.
pub fn tracking_code_of<'a>(
    manifest_hash: &[u8; 32],
    ballot_id: &[u8; 16],
    cells: impl IntoIterator<Item = &'a [u8]>,
) -> [u8; 32] {
    framed_sha256(b"tracking-code", |field| {
        field(manifest_hash);
        field(ballot_id);
        for cell in cells {
            field(cell);
        }
    })
}

/// The hash of the list of ballots a vote's sums are made of (§12): the manifest hash, how
/// many, then every tracking code in ascending order. The committee's members decrypt the sums
/// of this list and of no other: each partial decryption is bound to it.
pub fn ballot_list_hash(manifest_hash: &[u8; 32], tracking_codes: &[[u8; 32]]) -> [u8; 32] {
    let mut codes = tracking_codes.to_vec();
    codes.sort_unstable();
    framed_sha256(b"ballot-list", |field| {
        field(manifest_hash);
        field(&(codes.len() as u32).to_be_bytes());
        for code in &codes {
            field(code);
        }
    })
}

/// A cell's ciphertext in row `row`, refused when its α is the identity: its randomness is
/// then zero and β shows the mark to anyone (a receipt, or a ballot anyone can read).
pub(crate) fn cell_ciphertext(bytes: &[u8], row: usize) -> Result<Ciphertext, Refusal> {
    use curve25519_dalek::traits::IsIdentity;
    let ciphertext = Ciphertext::from_bytes(bytes)
        .map_err(|e| Refusal::Form(format!("row {}: a ciphertext {e}", row + 1)))?;
    if ciphertext.alpha.is_identity() {
        return Err(Refusal::Form(format!(
            "row {}: a ciphertext made with no randomness (α is the identity), which anyone \
             could read",
            row + 1
        )));
    }
    Ok(ciphertext)
}

/// The bytes of a row of a ballot of `shape`, once `bytes` is checked to be such a ballot's.
fn full_length(bytes: &[u8], shape: Shape) -> Result<usize, Refusal> {
    let row_bytes = shape.choices * CELL_BYTES + ROW_PROOF_BYTES;
    if bytes.len() != shape.rows * row_bytes {
        return Err(Refusal::Form(format!(
            "{} bytes, where a ballot of {} rows of {} choices has {}",
            bytes.len(),
            shape.rows,
            shape.choices,
            shape.rows * row_bytes
        )));
    }
    Ok(row_bytes)
}

/// What a committee vote's ballots are bound to, fixed when the vote opens.
pub struct Manifest<'a> {
    pub vote_id: &'a str,
    pub council_id: &'a str,
    /// `rating` or `confidence`.
    pub kind: &'a str,
    pub choices: u32,
    /// The subjects' ids, in ballot order.
    pub subject_ids: &'a [&'a str],
    pub committee_id: &'a str,
    pub threshold: u32,
    pub size: u32,
    pub joint_key: &'a curve25519_dalek::ristretto::RistrettoPoint,
}

/// SHA-256 over the protocol, the tag `manifest` and every field of the manifest in order
/// (ids as their text, counts as u32be, the key as its encoding), each framed by its length.
pub fn manifest_hash(m: &Manifest) -> [u8; 32] {
    framed_sha256(b"manifest", |field| {
        field(m.vote_id.as_bytes());
        field(m.council_id.as_bytes());
        field(m.kind.as_bytes());
        field(&m.choices.to_be_bytes());
        field(&(m.subject_ids.len() as u32).to_be_bytes());
        for id in m.subject_ids {
            field(id.as_bytes());
        }
        field(m.committee_id.as_bytes());
        field(&m.threshold.to_be_bytes());
        field(&m.size.to_be_bytes());
        field(&crate::group::encode_point(m.joint_key));
    })
}

impl EncryptedBallot {
    /// SHA-256 of the ciphertexts alone (no ballot id): two ballots with the same hash are
    /// copies, whatever ids and proofs they carry.
    pub fn cells_hash(&self) -> [u8; 32] {
        let mut hash = Sha256::new();
        for row in &self.rows {
            for cell in &row.cells {
                hash.update(cell.ciphertext.to_bytes());
            }
        }
        hash.finalize().into()
    }
}
