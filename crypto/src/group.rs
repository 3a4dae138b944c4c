//! ristretto255 (RFC 9496) elements and scalars as 32 bytes, decoded canonically: a point is
//! accepted only in its one canonical encoding, a scalar only when below the group order.

use curve25519_dalek::constants::RISTRETTO_BASEPOINT_TABLE;
use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::IsIdentity;
use rand_core::CryptoRngCore;

/// Why bytes were refused as a point or scalar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecodeError {
    /// Not 32 bytes.
    Length,
    /// Not the canonical encoding of a ristretto255 element.
    Point,
    /// The identity, where a key or commitment must not be it.
    Identity,
    /// Not a canonical scalar (it is not below the group order).
    Scalar,
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            DecodeError::Length => "is not 32 bytes long",
            DecodeError::Point => "is not a canonical ristretto255 encoding",
            DecodeError::Identity => "is the identity element, which is not allowed here",
            DecodeError::Scalar => "is not a canonical scalar (below the group order)",
        })
    }
}

impl std::error::Error for DecodeError {}

/// The generator G.
pub fn base_mul(scalar: &Scalar) -> RistrettoPoint {
    RISTRETTO_BASEPOINT_TABLE * scalar
}

pub fn encode_point(point: &RistrettoPoint) -> [u8; 32] {
    point.compress().to_bytes()
}

pub fn decode_point(bytes: &[u8]) -> Result<RistrettoPoint, DecodeError> {
    CompressedRistretto::from_slice(bytes)
        .map_err(|_| DecodeError::Length)?
        .decompress()
        .ok_or(DecodeError::Point)
}

/// A point that must not be the identity: a public key or a proof of knowledge's commitment.
pub fn decode_nonidentity(bytes: &[u8]) -> Result<RistrettoPoint, DecodeError> {
    let point = decode_point(bytes)?;
    if point.is_identity() {
        return Err(DecodeError::Identity);
    }
    Ok(point)
}

pub fn encode_scalar(scalar: &Scalar) -> [u8; 32] {
    scalar.to_bytes()
}

pub fn decode_scalar(bytes: &[u8]) -> Result<Scalar, DecodeError> {
    let bytes: [u8; 32] = bytes.try_into().map_err(|_| DecodeError::Length)?;
    Option::from(Scalar::from_canonical_bytes(bytes)).ok_or(DecodeError::Scalar)
}

/// A uniformly random scalar.
pub fn random_scalar(rng: &mut impl CryptoRngCore) -> Scalar {
    Scalar::random(rng)
}

/// Random scalars below 2^128, enough to weigh the equations of a batch verification: drawn
/// from one seed taken from the caller's generator and stretched with SHA-512, so that a batch
/// of thousands asks the operating system once, not thousands of times.
pub struct Weights {
    seed: [u8; 32],
    counter: u64,
    block: [u8; 64],
    used: usize,
}

impl Weights {
    pub fn new(rng: &mut impl CryptoRngCore) -> Weights {
        let mut seed = [0u8; 32];
        rng.fill_bytes(&mut seed);
        Weights {
            seed,
            counter: 0,
            block: [0; 64],
            used: 64,
        }
    }

    pub fn draw(&mut self) -> Scalar {
        use sha2::{Digest, Sha512};
        if self.used == 64 {
            self.block = Sha512::new()
                .chain_update(self.seed)
                .chain_update(self.counter.to_le_bytes())
                .finalize()
                .into();
            self.counter += 1;
            self.used = 0;
        }
        let mut bytes = [0u8; 32];
        bytes[..16].copy_from_slice(&self.block[self.used..self.used + 16]);
        self.used += 16;
        Scalar::from_bytes_mod_order(bytes)
    }
}

/// Reads `bytes` as consecutive 32-byte fields.
pub fn fields<const N: usize>(bytes: &[u8]) -> Result<[&[u8]; N], DecodeError> {
    if bytes.len() != 32 * N {
        return Err(DecodeError::Length);
    }
    Ok(std::array::from_fn(|i| &bytes[32 * i..32 * (i + 1)]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use curve25519_dalek::constants::RISTRETTO_BASEPOINT_POINT;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// RFC 9496 §A.1: the first multiples of the generator.
    #[test]
    fn multiples_of_the_generator_encode_as_the_rfc_says() {
        let expected = [
            "0000000000000000000000000000000000000000000000000000000000000000",
            "e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76",
            "6a493210f7499cd17fecb510ae0cea23a110e8d5b901f8acadd3095c73a3b919",
            "94741f5d5d52755ece4f23f044ee27d5d1ea1e2bd196b462166b16152a9d0259",
        ];
        let mut point = RistrettoPoint::default();
        for want in expected {
            assert_eq!(encode_point(&point).to_vec(), hex(want));
            assert_eq!(decode_point(&hex(want)).unwrap(), point);
            point += RISTRETTO_BASEPOINT_POINT;
        }
    }

    /// RFC 9496 §A.2: encodings that must be refused.
    #[test]
    fn bad_encodings_are_refused() {
        for bad in [
            // non-canonical field elements
            "00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
            "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
            // negative field elements
            "0100000000000000000000000000000000000000000000000000000000000000",
            "01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
            // non-square x^2
            "26948d35ca62e643e26a83177332e6b6afeb9d08e4268b650f1f5bbd8d81d371",
            // negative xy
            "3eb858e78f5a7254d8c9731174a94f76755fd3941c0ac93735c07ba14579630e",
            // s = -1
            "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        ] {
            assert_eq!(decode_point(&hex(bad)), Err(DecodeError::Point), "{bad}");
        }
        assert_eq!(decode_point(&[0u8; 31]), Err(DecodeError::Length));
        assert_eq!(decode_nonidentity(&[0u8; 32]), Err(DecodeError::Identity));
    }

    #[test]
    fn scalars_at_or_above_the_order_are_refused() {
        // ℓ = 2^252 + 27742317777372353535851937790883648493, little-endian.
        let order = hex("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
        assert_eq!(decode_scalar(&order), Err(DecodeError::Scalar));
        let mut below = order.clone();
        below[0] -= 1;
        assert!(decode_scalar(&below).is_ok());
        assert_eq!(decode_scalar(&[0xff; 32]), Err(DecodeError::Scalar));
    }
}
