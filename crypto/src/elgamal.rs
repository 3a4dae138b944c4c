//! Exponential ElGamal under a joint key K: (α, β) = (r·G, r·K + m·G). Ciphertexts add up to
//! an encryption of the sum of their messages, which is how a tally is made without
//! decrypting any one ballot.

use curve25519_dalek::ristretto::{RistrettoBasepointTable, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::Identity;

use crate::group::{base_mul, decode_point, encode_point, fields, DecodeError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ciphertext {
    pub alpha: RistrettoPoint,
    pub beta: RistrettoPoint,
}

/// The committee's joint public key, with a table for fast multiplication by it and its
/// encoding (which every proof's challenge hashes).
pub struct JointKey {
    pub point: RistrettoPoint,
    pub encoded: [u8; 32],
    table: RistrettoBasepointTable,
}

impl JointKey {
    pub fn new(point: RistrettoPoint) -> JointKey {
        JointKey {
            table: RistrettoBasepointTable::create(&point),
            encoded: encode_point(&point),
            point,
        }
    }

    /// r·K
    pub fn mul(&self, r: &Scalar) -> RistrettoPoint {
        &self.table * r
    }
}

impl Ciphertext {
    /// The encryption of `m` with randomness `r`.
    pub fn encrypt(key: &JointKey, m: u64, r: &Scalar) -> Ciphertext {
        Ciphertext {
            alpha: base_mul(r),
            beta: key.mul(r) + base_mul(&Scalar::from(m)),
        }
    }

    /// The encryption of 0 with randomness 0: the start of a sum.
    pub fn zero() -> Ciphertext {
        Ciphertext {
            alpha: RistrettoPoint::identity(),
            beta: RistrettoPoint::identity(),
        }
    }

    pub fn add(&self, other: &Ciphertext) -> Ciphertext {
        Ciphertext {
            alpha: self.alpha + other.alpha,
            beta: self.beta + other.beta,
        }
    }

    pub fn sum<'a>(all: impl IntoIterator<Item = &'a Ciphertext>) -> Ciphertext {
        all.into_iter()
            .fold(Ciphertext::zero(), |sum, c| sum.add(c))
    }

    /// α ‖ β, 64 bytes.
    pub fn to_bytes(&self) -> [u8; 64] {
        let mut out = [0u8; 64];
        out[..32].copy_from_slice(&encode_point(&self.alpha));
        out[32..].copy_from_slice(&encode_point(&self.beta));
        out
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Ciphertext, DecodeError> {
        let [alpha, beta] = fields::<2>(bytes)?;
        Ok(Ciphertext {
            alpha: decode_point(alpha)?,
            beta: decode_point(beta)?,
        })
    }
}

/// Adds `more` into `sums` cell by cell, row by row: the running sums of a vote's ballots.
pub fn add_rows(sums: &mut [Vec<Ciphertext>], more: &[Vec<Ciphertext>]) {
    for (sum_row, row) in sums.iter_mut().zip(more) {
        for (sum, cell) in sum_row.iter_mut().zip(row) {
            *sum = sum.add(cell);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::group::random_scalar;
    use rand::rngs::OsRng;

    #[test]
    fn sums_of_ciphertexts_decrypt_to_sums_of_messages() {
        let secret = random_scalar(&mut OsRng);
        let key = JointKey::new(base_mul(&secret));
        let messages = [1u64, 0, 1, 1, 0];
        let all: Vec<Ciphertext> = messages
            .iter()
            .map(|m| Ciphertext::encrypt(&key, *m, &random_scalar(&mut OsRng)))
            .collect();
        let sum = Ciphertext::sum(&all);
        assert_eq!(sum.beta - secret * sum.alpha, base_mul(&Scalar::from(3u64)));
        let again = Ciphertext::from_bytes(&sum.to_bytes()).unwrap();
        assert_eq!(again, sum);
    }
}
