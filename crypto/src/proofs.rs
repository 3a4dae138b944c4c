//! The three proofs of a committee vote, each non-interactive through a [`Transcript`] that
//! binds the proof's context (vote manifest, joint key, ballot id, indices), its statement and
//! all its commitments:
//!
//! - [`ZeroOrOne`]: a ciphertext under K encrypts 0 or 1 (Cramer–Damgård–Schoenmakers OR of two
//!   Chaum–Pedersen proofs), for each cell and for each row's sum;
//! - [`Equality`]: log_G(X) = log_A(Y) (Chaum–Pedersen), for a member's partial decryption;
//! - [`Knowledge`]: the prover knows log_G(C) (Schnorr), for the committee's commitments.
//!
//! Every proof carries its commitments, so that many can be checked in one multiscalar
//! multiplication (see [`crate::ballot`]); [`ZeroOrOne::compact`] drops them for the record.

use curve25519_dalek::ristretto::RistrettoPoint;
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::VartimeMultiscalarMul;
use rand_core::CryptoRngCore;

use crate::elgamal::{Ciphertext, JointKey};
use crate::group::{
    base_mul, decode_point, decode_scalar, encode_point, encode_scalar, fields, random_scalar,
    DecodeError, Weights,
};
use crate::transcript::Transcript;

/// What a proof's challenge is bound to besides its statement and commitments: its tag and
/// the context fields, in order (docs/verifiable.md names them for each proof).
pub struct Context<'a> {
    pub tag: &'static [u8],
    pub fields: &'a [&'a [u8]],
}

impl Context<'_> {
    fn transcript(&self) -> Transcript {
        let mut t = Transcript::new(self.tag);
        for f in self.fields {
            t.field(f);
        }
        t
    }
}

/// A proof that (α, β) encrypts 0 or 1 under K: two branches, j = 0 and j = 1, each a
/// Chaum–Pedersen proof that (α, β − j·G) = (r·G, r·K); the prover simulates the branch that
/// is not true, and c0 + c1 must equal the challenge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZeroOrOne {
    pub a0: RistrettoPoint,
    pub b0: RistrettoPoint,
    pub a1: RistrettoPoint,
    pub b1: RistrettoPoint,
    pub c0: Scalar,
    pub c1: Scalar,
    pub v0: Scalar,
    pub v1: Scalar,
}

impl ZeroOrOne {
    /// Proves that `ciphertext` = encrypt(`m`, `r`), m being 0 or 1.
    pub fn prove(
        context: &Context,
        key: &JointKey,
        ciphertext: &Ciphertext,
        m: u64,
        r: &Scalar,
        rng: &mut impl CryptoRngCore,
    ) -> ZeroOrOne {
        assert!(m <= 1, "only 0 or 1 can be proven");
        let g = base_mul(&Scalar::ONE);
        let w = random_scalar(rng);
        let (fake_c, fake_v) = (random_scalar(rng), random_scalar(rng));
        // The simulated branch j': commitments that satisfy its equations for a chosen c, v.
        let fake_j = 1 - m;
        let shifted = ciphertext.beta - g * Scalar::from(fake_j);
        let fake_a = base_mul(&fake_v) - fake_c * ciphertext.alpha;
        let fake_b = key.mul(&fake_v) - fake_c * shifted;
        let (real_a, real_b) = (base_mul(&w), key.mul(&w));
        let (a0, b0, a1, b1) = if m == 0 {
            (real_a, real_b, fake_a, fake_b)
        } else {
            (fake_a, fake_b, real_a, real_b)
        };
        let c = challenge(context, key, ciphertext, [&a0, &b0, &a1, &b1]);
        let real_c = c - fake_c;
        let real_v = w + real_c * r;
        let (c0, c1, v0, v1) = if m == 0 {
            (real_c, fake_c, real_v, fake_v)
        } else {
            (fake_c, real_c, fake_v, real_v)
        };
        ZeroOrOne {
            a0,
            b0,
            a1,
            b1,
            c0,
            c1,
            v0,
            v1,
        }
    }

    /// Whether the challenges split the transcript's challenge; the equations are checked
    /// apart ([`ZeroOrOne::equations`]), alone or in a batch.
    pub fn challenge_holds(
        &self,
        context: &Context,
        key: &JointKey,
        ciphertext: &Ciphertext,
    ) -> bool {
        let c = challenge(
            context,
            key,
            ciphertext,
            [&self.a0, &self.b0, &self.a1, &self.b1],
        );
        self.c0 + self.c1 == c
    }

    /// The four equations, each weighted by its own random weight, as (scalar, point) terms
    /// that sum to the identity when they hold. The terms in G and K are returned apart so a
    /// batch can add them up into one term each.
    pub fn equations(&self, ciphertext: &Ciphertext, weights: &mut Weights) -> WeightedTerms {
        let z: [Scalar; 4] = std::array::from_fn(|_| weights.draw());
        // v0·G = a0 + c0·α ; v0·K = b0 + c0·β ; v1·G = a1 + c1·α ; v1·K = b1 + c1·(β − G)
        WeightedTerms {
            g: z[0] * self.v0 + z[2] * self.v1 + z[3] * self.c1,
            k: z[1] * self.v0 + z[3] * self.v1,
            terms: [
                (-(z[0] * self.c0 + z[2] * self.c1), ciphertext.alpha),
                (-(z[1] * self.c0 + z[3] * self.c1), ciphertext.beta),
                (-z[0], self.a0),
                (-z[1], self.b0),
                (-z[2], self.a1),
                (-z[3], self.b1),
            ],
        }
    }

    /// [`ZeroOrOne::challenge_holds`] from the bytes received: the ciphertext's 64 and the
    /// proof's 256 (docs/verifiable.md §4.1), already decoded into `self`.
    pub fn challenge_holds_encoded(
        &self,
        context: &Context,
        key: &JointKey,
        ciphertext: &[u8],
        proof: &[u8],
    ) -> bool {
        let c = challenge_of_encodings(
            context,
            key,
            ciphertext,
            [
                &proof[..32],
                &proof[32..64],
                &proof[64..96],
                &proof[96..128],
            ],
        );
        self.c0 + self.c1 == c
    }

    /// Checks this proof alone.
    pub fn verify(
        &self,
        context: &Context,
        key: &JointKey,
        ciphertext: &Ciphertext,
        rng: &mut impl CryptoRngCore,
    ) -> bool {
        self.challenge_holds(context, key, ciphertext)
            && Batch::of([self.equations(ciphertext, &mut Weights::new(rng))]).holds(key)
    }

    /// a0 ‖ b0 ‖ a1 ‖ b1 ‖ c0 ‖ c1 ‖ v0 ‖ v1, 256 bytes.
    pub fn to_bytes(&self) -> [u8; 256] {
        let mut out = [0u8; 256];
        let parts = [
            encode_point(&self.a0),
            encode_point(&self.b0),
            encode_point(&self.a1),
            encode_point(&self.b1),
            encode_scalar(&self.c0),
            encode_scalar(&self.c1),
            encode_scalar(&self.v0),
            encode_scalar(&self.v1),
        ];
        for (i, part) in parts.iter().enumerate() {
            out[32 * i..32 * (i + 1)].copy_from_slice(part);
        }
        out
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<ZeroOrOne, DecodeError> {
        let [a0, b0, a1, b1, c0, c1, v0, v1] = fields::<8>(bytes)?;
        Ok(ZeroOrOne {
            a0: decode_point(a0)?,
            b0: decode_point(b0)?,
            a1: decode_point(a1)?,
            b1: decode_point(b1)?,
            c0: decode_scalar(c0)?,
            c1: decode_scalar(c1)?,
            v0: decode_scalar(v0)?,
            v1: decode_scalar(v1)?,
        })
    }

    /// c0 ‖ c1 ‖ v0 ‖ v1, 128 bytes: the commitments are recomputed from these by whoever
    /// checks ([`ZeroOrOne::from_compact`]), one proof at a time.
    pub fn compact(&self) -> [u8; 128] {
        let mut out = [0u8; 128];
        for (i, s) in [self.c0, self.c1, self.v0, self.v1].iter().enumerate() {
            out[32 * i..32 * (i + 1)].copy_from_slice(&encode_scalar(s));
        }
        out
    }

    /// The whole proof from its compact form, commitments recomputed for `ciphertext` under
    /// `key`. The result verifies exactly when the compact proof does.
    pub fn from_compact(
        bytes: &[u8],
        key: &JointKey,
        ciphertext: &Ciphertext,
    ) -> Result<ZeroOrOne, DecodeError> {
        let [c0, c1, v0, v1] = fields::<4>(bytes)?;
        let (c0, c1, v0, v1) = (
            decode_scalar(c0)?,
            decode_scalar(c1)?,
            decode_scalar(v0)?,
            decode_scalar(v1)?,
        );
        let g = base_mul(&Scalar::ONE);
        let (alpha, beta) = (ciphertext.alpha, ciphertext.beta);
        let mul2 = |a: Scalar, p: RistrettoPoint, b: Scalar, q: RistrettoPoint| {
            RistrettoPoint::vartime_multiscalar_mul([a, b], [p, q])
        };
        Ok(ZeroOrOne {
            a0: RistrettoPoint::vartime_double_scalar_mul_basepoint(&-c0, &alpha, &v0),
            b0: mul2(v0, key.point, -c0, beta),
            a1: RistrettoPoint::vartime_double_scalar_mul_basepoint(&-c1, &alpha, &v1),
            b1: mul2(v1, key.point, -c1, beta - g),
            c0,
            c1,
            v0,
            v1,
        })
    }
}

fn challenge(
    context: &Context,
    key: &JointKey,
    ciphertext: &Ciphertext,
    commitments: [&RistrettoPoint; 4],
) -> Scalar {
    let encoded = commitments.map(encode_point);
    challenge_of_encodings(
        context,
        key,
        &ciphertext.to_bytes(),
        [&encoded[0], &encoded[1], &encoded[2], &encoded[3]],
    )
}

/// The challenge from the encodings themselves, as received: no point is compressed again.
pub(crate) fn challenge_of_encodings(
    context: &Context,
    key: &JointKey,
    ciphertext: &[u8],
    commitments: [&[u8]; 4],
) -> Scalar {
    let mut t = context.transcript();
    t.field(&key.encoded)
        .field(&ciphertext[..32])
        .field(&ciphertext[32..]);
    for c in commitments {
        t.field(c);
    }
    t.challenge()
}

/// Weighted verification equations of one proof: g·G + k·K + Σ s·P should be the identity.
pub struct WeightedTerms {
    pub g: Scalar,
    pub k: Scalar,
    pub terms: [(Scalar, RistrettoPoint); 6],
}

/// Many proofs' weighted equations, checked together in one multiscalar multiplication: it
/// holds (but for a chance of 2^-128) only if every equation of every proof holds.
pub struct Batch {
    g: Scalar,
    k: Scalar,
    scalars: Vec<Scalar>,
    points: Vec<RistrettoPoint>,
}

impl Batch {
    pub fn with_capacity(proofs: usize) -> Batch {
        Batch {
            g: Scalar::ZERO,
            k: Scalar::ZERO,
            scalars: Vec::with_capacity(6 * proofs + 2),
            points: Vec::with_capacity(6 * proofs + 2),
        }
    }

    pub fn of(all: impl IntoIterator<Item = WeightedTerms>) -> Batch {
        let mut batch = Batch::with_capacity(0);
        for terms in all {
            batch.push(terms);
        }
        batch
    }

    pub fn push(&mut self, weighted: WeightedTerms) {
        self.g += weighted.g;
        self.k += weighted.k;
        for (s, p) in weighted.terms {
            self.scalars.push(s);
            self.points.push(p);
        }
    }

    pub fn holds(mut self, key: &JointKey) -> bool {
        self.scalars.push(self.g);
        self.points.push(base_mul(&Scalar::ONE));
        self.scalars.push(self.k);
        self.points.push(key.point);
        use curve25519_dalek::traits::IsIdentity;
        RistrettoPoint::vartime_multiscalar_mul(&self.scalars, &self.points).is_identity()
    }
}

/// A Chaum–Pedersen proof that the same secret x gives X = x·G and Y = x·A.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Equality {
    pub a: RistrettoPoint,
    pub b: RistrettoPoint,
    pub v: Scalar,
}

impl Equality {
    pub fn prove(
        context: &Context,
        x: &Scalar,
        base: &RistrettoPoint,
        rng: &mut impl CryptoRngCore,
    ) -> Equality {
        let (big_x, y) = (base_mul(x), x * base);
        let w = random_scalar(rng);
        let (a, b) = (base_mul(&w), w * base);
        let c = equality_challenge(context, &big_x, base, &y, &a, &b);
        Equality { a, b, v: w + c * x }
    }

    /// Whether `x`, the secret of `big_x` = x·G, also gives `y` = x·`base`.
    pub fn verify(
        &self,
        context: &Context,
        big_x: &RistrettoPoint,
        base: &RistrettoPoint,
        y: &RistrettoPoint,
    ) -> bool {
        let c = equality_challenge(context, big_x, base, y, &self.a, &self.b);
        base_mul(&self.v) == self.a + c * big_x && self.v * base == self.b + c * y
    }

    /// a ‖ b ‖ v, 96 bytes.
    pub fn to_bytes(&self) -> [u8; 96] {
        let mut out = [0u8; 96];
        out[..32].copy_from_slice(&encode_point(&self.a));
        out[32..64].copy_from_slice(&encode_point(&self.b));
        out[64..].copy_from_slice(&encode_scalar(&self.v));
        out
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Equality, DecodeError> {
        let [a, b, v] = fields::<3>(bytes)?;
        Ok(Equality {
            a: decode_point(a)?,
            b: decode_point(b)?,
            v: decode_scalar(v)?,
        })
    }
}

fn equality_challenge(
    context: &Context,
    big_x: &RistrettoPoint,
    base: &RistrettoPoint,
    y: &RistrettoPoint,
    a: &RistrettoPoint,
    b: &RistrettoPoint,
) -> Scalar {
    let mut t = context.transcript();
    t.point(big_x).point(base).point(y).point(a).point(b);
    t.challenge()
}

/// A Schnorr proof that the prover knows x with C = x·G.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Knowledge {
    pub a: RistrettoPoint,
    pub v: Scalar,
}

impl Knowledge {
    pub fn prove(context: &Context, x: &Scalar, rng: &mut impl CryptoRngCore) -> Knowledge {
        let w = random_scalar(rng);
        let a = base_mul(&w);
        let c = knowledge_challenge(context, &base_mul(x), &a);
        Knowledge { a, v: w + c * x }
    }

    pub fn verify(&self, context: &Context, commitment: &RistrettoPoint) -> bool {
        let c = knowledge_challenge(context, commitment, &self.a);
        base_mul(&self.v) == self.a + c * commitment
    }

    /// a ‖ v, 64 bytes.
    pub fn to_bytes(&self) -> [u8; 64] {
        let mut out = [0u8; 64];
        out[..32].copy_from_slice(&encode_point(&self.a));
        out[32..].copy_from_slice(&encode_scalar(&self.v));
        out
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Knowledge, DecodeError> {
        let [a, v] = fields::<2>(bytes)?;
        Ok(Knowledge {
            a: decode_point(a)?,
            v: decode_scalar(v)?,
        })
    }
}

fn knowledge_challenge(
    context: &Context,
    commitment: &RistrettoPoint,
    a: &RistrettoPoint,
) -> Scalar {
    let mut t = context.transcript();
    t.point(commitment).point(a);
    t.challenge()
}
