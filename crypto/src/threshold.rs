//! The committee's key without a dealer (Pedersen's scheme with Feldman commitments): each of
//! the n members draws a polynomial of degree t − 1, publishes commitments to its coefficients
//! with proofs of knowledge, and gives every member i its value at i, sealed to that member.
//! A member's share is the sum of the values it received; the joint key is the sum of the
//! constant terms' commitments. Any t members decrypt a sum together; fewer learn nothing.

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{Identity, VartimeMultiscalarMul};
use rand_core::CryptoRngCore;
use std::collections::HashMap;

use crate::elgamal::Ciphertext;
use crate::group::{base_mul, encode_point, random_scalar};
use crate::proofs::{Context, Equality, Knowledge};
use crate::transcript::Transcript;

/// A member's secret polynomial f(x) = a_0 + a_1·x + … + a_{t−1}·x^{t−1}.
pub struct Polynomial {
    coefficients: Vec<Scalar>,
}

impl Polynomial {
    pub fn random(threshold: usize, rng: &mut impl CryptoRngCore) -> Polynomial {
        assert!(threshold >= 1, "a threshold of at least one");
        Polynomial {
            coefficients: (0..threshold).map(|_| random_scalar(rng)).collect(),
        }
    }

    /// C_k = a_k·G for each coefficient.
    pub fn commitments(&self) -> Vec<RistrettoPoint> {
        self.coefficients.iter().map(base_mul).collect()
    }

    /// A proof of knowledge of each coefficient, bound to `context` and the coefficient's index.
    pub fn proofs(&self, context: &[&[u8]], rng: &mut impl CryptoRngCore) -> Vec<Knowledge> {
        self.coefficients
            .iter()
            .enumerate()
            .map(|(k, a)| {
                let k = (k as u32).to_be_bytes();
                let mut fields = context.to_vec();
                fields.push(&k);
                Knowledge::prove(
                    &Context {
                        tag: b"coefficient",
                        fields: &fields,
                    },
                    a,
                    rng,
                )
            })
            .collect()
    }

    /// f(index), the value given to the member at `index` (1-based).
    pub fn value_at(&self, index: u32) -> Scalar {
        let x = Scalar::from(index);
        self.coefficients
            .iter()
            .rev()
            .fold(Scalar::ZERO, |acc, a| acc * x + a)
    }
}

/// Checks the proofs of knowledge of a member's commitments.
pub fn commitments_proven(
    context: &[&[u8]],
    commitments: &[RistrettoPoint],
    proofs: &[Knowledge],
) -> bool {
    commitments.len() == proofs.len()
        && commitments
            .iter()
            .zip(proofs)
            .enumerate()
            .all(|(k, (c, p))| {
                let k = (k as u32).to_be_bytes();
                let mut fields = context.to_vec();
                fields.push(&k);
                p.verify(
                    &Context {
                        tag: b"coefficient",
                        fields: &fields,
                    },
                    c,
                )
            })
}

/// Σ_k index^k·C_k: what f(index)·G must be, from the commitments alone.
pub fn committed_value_at(commitments: &[RistrettoPoint], index: u32) -> RistrettoPoint {
    let x = Scalar::from(index);
    let mut power = Scalar::ONE;
    let powers: Vec<Scalar> = commitments
        .iter()
        .map(|_| {
            let p = power;
            power *= x;
            p
        })
        .collect();
    RistrettoPoint::vartime_multiscalar_mul(&powers, commitments)
}

/// Whether `value` is the value at `index` of the polynomial committed to by `commitments`.
pub fn value_matches(commitments: &[RistrettoPoint], index: u32, value: &Scalar) -> bool {
    base_mul(value) == committed_value_at(commitments, index)
}

/// The joint key: the sum of every member's constant-term commitment.
pub fn joint_key(all_commitments: &[Vec<RistrettoPoint>]) -> RistrettoPoint {
    all_commitments
        .iter()
        .map(|c| c[0])
        .fold(RistrettoPoint::identity(), |k, c| k + c)
}

/// The public key of the share of the member at `index`: Σ over members of their committed
/// value at `index`. A partial decryption is proven against it.
pub fn share_key(all_commitments: &[Vec<RistrettoPoint>], index: u32) -> RistrettoPoint {
    all_commitments
        .iter()
        .map(|c| committed_value_at(c, index))
        .fold(RistrettoPoint::identity(), |k, c| k + c)
}

/// The Lagrange coefficient at 0 of the member at `index` among the members `indices`.
pub fn lagrange(index: u32, indices: &[u32]) -> Scalar {
    let i = Scalar::from(index);
    let (mut num, mut den) = (Scalar::ONE, Scalar::ONE);
    for &other in indices.iter().filter(|&&j| j != index) {
        let j = Scalar::from(other);
        num *= j;
        den *= j - i;
    }
    num * den.invert()
}

/// Σ λ_i·M_i over the partial decryptions given, (index, M_i = z_i·A): the joint secret times A.
pub fn combine(partials: &[(u32, RistrettoPoint)]) -> RistrettoPoint {
    let indices: Vec<u32> = partials.iter().map(|(i, _)| *i).collect();
    let weights: Vec<Scalar> = indices.iter().map(|i| lagrange(*i, &indices)).collect();
    let points: Vec<RistrettoPoint> = partials.iter().map(|(_, m)| *m).collect();
    RistrettoPoint::vartime_multiscalar_mul(&weights, &points)
}

/// Which sums a partial decryption is of: the vote (its manifest's hash) and the very list of
/// ballots summed (their list hash, [`crate::ballot::ballot_list_hash`]). A decryption proven
/// for one list does not hold for another, even one with the same sums (two blank ballots
/// whose randomness cancels, added after the members decrypted). Every decryption made now
/// names its list; `None` reads one made before decryptions were bound to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summed<'a> {
    pub manifest_hash: &'a [u8],
    pub ballot_list: Option<&'a [u8; 32]>,
}

/// The context fields of a member's partial decryption proof for one cell (docs/verifiable.md
/// §12): the manifest hash, the ballot list hash (when the decryption names it), the member's
/// position, the cell's row and choice.
pub fn decryption_fields(summed: Summed, position: u32, row: u32, col: u32) -> Vec<Vec<u8>> {
    let mut fields = vec![summed.manifest_hash.to_vec()];
    fields.extend(summed.ballot_list.map(|list| list.to_vec()));
    fields.extend([
        position.to_be_bytes().to_vec(),
        row.to_be_bytes().to_vec(),
        col.to_be_bytes().to_vec(),
    ]);
    fields
}

/// Whether `proof` shows that `partial` is the decryption share of `alpha` (row `row`, choice
/// `col` of the sums of `summed`) made with the share whose key is `share_key`, by the member
/// at `position`.
#[allow(clippy::too_many_arguments)]
pub fn partial_holds(
    proof: &Equality,
    summed: Summed,
    position: u32,
    row: u32,
    col: u32,
    share_key: &RistrettoPoint,
    alpha: &RistrettoPoint,
    partial: &RistrettoPoint,
) -> bool {
    let fields = decryption_fields(summed, position, row, col);
    let refs: Vec<&[u8]> = fields.iter().map(Vec::as_slice).collect();
    let context = Context {
        tag: b"partial-decryption",
        fields: &refs,
    };
    proof.verify(&context, share_key, alpha, partial)
}

/// Each cell's count from the partial decryptions of its sum, (position, M row by row) per
/// member: the k in 0 … `most` with k·G = B − Σ λ_j·M_j. `Err((row, choice))` names the first
/// cell whose total is not such a count.
pub fn decrypt_counts(
    partials: &[(u32, Vec<Vec<RistrettoPoint>>)],
    sums: &[Vec<Ciphertext>],
    most: u64,
) -> Result<Vec<Vec<u64>>, (usize, usize)> {
    let table = Counts::up_to(most);
    sums.iter()
        .enumerate()
        .map(|(i, row)| {
            row.iter()
                .enumerate()
                .map(|(j, sum)| {
                    let cell: Vec<(u32, RistrettoPoint)> =
                        partials.iter().map(|(p, m)| (*p, m[i][j])).collect();
                    table.of(&(sum.beta - combine(&cell))).ok_or((i, j))
                })
                .collect()
        })
        .collect()
}

/// A value sealed to one member (hashed ElGamal): R = e·G, and the value plus a mask hashed
/// from e·P, where P is the member's public key. Only the member (with p, P = p·G) can remove
/// the mask; the value's correctness is checked against the sender's commitments on arrival.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sealed {
    pub ephemeral: RistrettoPoint,
    pub masked: Scalar,
}

fn mask(context: &[&[u8]], ephemeral: &RistrettoPoint, shared: &RistrettoPoint) -> Scalar {
    let mut t = Transcript::new(b"share-mask");
    for f in context {
        t.field(f);
    }
    t.field(&encode_point(ephemeral))
        .field(&encode_point(shared));
    t.challenge()
}

impl Sealed {
    pub fn seal(
        context: &[&[u8]],
        recipient: &RistrettoPoint,
        value: &Scalar,
        rng: &mut impl CryptoRngCore,
    ) -> Sealed {
        let e = random_scalar(rng);
        let ephemeral = base_mul(&e);
        Sealed {
            ephemeral,
            masked: value + mask(context, &ephemeral, &(e * recipient)),
        }
    }

    pub fn open(&self, context: &[&[u8]], secret: &Scalar) -> Scalar {
        self.masked - mask(context, &self.ephemeral, &(secret * self.ephemeral))
    }
}

/// Counts read back from k·G, for k up to a bound (the ballots cast).
pub struct Counts {
    known: HashMap<[u8; 32], u64>,
}

impl Counts {
    pub fn up_to(most: u64) -> Counts {
        let g = base_mul(&Scalar::ONE);
        let mut point = RistrettoPoint::identity();
        let mut known = HashMap::with_capacity(most as usize + 1);
        for k in 0..=most {
            known.insert(encode_point(&point), k);
            point += g;
        }
        Counts { known }
    }

    /// The k with k·G = `point`, if k is within the bound.
    pub fn of(&self, point: &RistrettoPoint) -> Option<u64> {
        self.known.get(&encode_point(point)).copied()
    }
}

/// What one member publishes in the ceremony, in the order of their position.
pub struct Published<'a> {
    pub position: u32,
    pub sealing_key: &'a RistrettoPoint,
    pub commitments: &'a [RistrettoPoint],
    pub proofs: &'a [Knowledge],
}

/// The hash a member publishes first, before anyone reveals commitments: SHA-256 over the
/// committee, the member's position, then each commitment and each proof in order. Revealing
/// commitments that do not hash to it is refused, so no member can choose theirs after seeing
/// the others'.
pub fn commitment_hash(
    committee: &[u8],
    position: u32,
    commitments: &[RistrettoPoint],
    proofs: &[Knowledge],
) -> [u8; 32] {
    crate::transcript::framed_sha256(b"commitments", |field| {
        field(committee);
        field(&position.to_be_bytes());
        for c in commitments {
            field(&encode_point(c));
        }
        for p in proofs {
            field(&p.to_bytes());
        }
    })
}

/// The hash every member confirms at the end: the committee, its threshold and size, what
/// each member published (in position order), and every sealed value (by sender, then
/// recipient). Members who confirm the same hash saw the same ceremony.
pub fn ceremony_hash(
    committee: &[u8],
    threshold: u32,
    members: &[Published],
    sealed: &[(u32, u32, Sealed)],
) -> [u8; 32] {
    crate::transcript::framed_sha256(b"ceremony", |field| {
        field(committee);
        field(&threshold.to_be_bytes());
        field(&(members.len() as u32).to_be_bytes());
        for m in members {
            field(&m.position.to_be_bytes());
            field(&encode_point(m.sealing_key));
            for c in m.commitments {
                field(&encode_point(c));
            }
            for p in m.proofs {
                field(&p.to_bytes());
            }
        }
        for (sender, recipient, s) in sealed {
            field(&sender.to_be_bytes());
            field(&recipient.to_be_bytes());
            field(&s.to_bytes());
        }
    })
}

impl Sealed {
    /// R ‖ masked, 64 bytes.
    pub fn to_bytes(&self) -> [u8; 64] {
        let mut out = [0u8; 64];
        out[..32].copy_from_slice(&encode_point(&self.ephemeral));
        out[32..].copy_from_slice(&crate::group::encode_scalar(&self.masked));
        out
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Sealed, crate::group::DecodeError> {
        let [r, m] = crate::group::fields::<2>(bytes)?;
        Ok(Sealed {
            ephemeral: crate::group::decode_point(r)?,
            masked: crate::group::decode_scalar(m)?,
        })
    }
}

impl Polynomial {
    /// The coefficients, for a member's own file between the ceremony's steps.
    pub fn coefficients(&self) -> &[Scalar] {
        &self.coefficients
    }

    pub fn from_coefficients(coefficients: Vec<Scalar>) -> Polynomial {
        assert!(!coefficients.is_empty(), "a threshold of at least one");
        Polynomial { coefficients }
    }
}
