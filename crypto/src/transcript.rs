//! Fiat–Shamir challenges. A challenge is SHA-512 over the protocol's name, the proof's tag
//! and every field, each framed by its length as a 4-byte big-endian integer, reduced modulo
//! the group order. Callers put in the whole context and statement as well as the
//! commitments: hashing the commitments alone would let a prover choose the statement after
//! the proof (the weak Fiat–Shamir of Bernhard, Pereira and Warinschi, 2012).

use curve25519_dalek::scalar::Scalar;
use sha2::{Digest, Sha512};

/// The protocol and its version; a new version gets a new name.
pub const PROTOCOL: &[u8] = b"tinnhiem-verifiable/1";

/// SHA-256 over the protocol, `tag` and each field `fields` gives, each framed by its length as
/// a 4-byte big-endian integer: the hashes that name things (a manifest, a tracking code, a
/// ballot list, a ceremony), as opposed to challenges.
pub(crate) fn framed_sha256(tag: &[u8], fields: impl FnOnce(&mut dyn FnMut(&[u8]))) -> [u8; 32] {
    use sha2::Sha256;
    let mut hash = Sha256::new();
    let mut field = |bytes: &[u8]| {
        hash.update((bytes.len() as u32).to_be_bytes());
        hash.update(bytes);
    };
    field(PROTOCOL);
    field(tag);
    fields(&mut field);
    hash.finalize().into()
}

pub struct Transcript {
    hash: Sha512,
}

impl Transcript {
    /// A transcript for one kind of proof, named by `tag`.
    pub fn new(tag: &[u8]) -> Transcript {
        let mut transcript = Transcript {
            hash: Sha512::new(),
        };
        transcript.field(PROTOCOL);
        transcript.field(tag);
        transcript
    }

    pub fn field(&mut self, bytes: &[u8]) -> &mut Transcript {
        let length = u32::try_from(bytes.len()).expect("a transcript field under 4 GiB");
        self.hash.update(length.to_be_bytes());
        self.hash.update(bytes);
        self
    }

    pub fn index(&mut self, i: u32) -> &mut Transcript {
        self.field(&i.to_be_bytes())
    }

    pub fn point(
        &mut self,
        point: &curve25519_dalek::ristretto::RistrettoPoint,
    ) -> &mut Transcript {
        self.field(&crate::group::encode_point(point))
    }

    pub fn challenge(self) -> Scalar {
        let digest: [u8; 64] = self.hash.finalize().into();
        Scalar::from_bytes_mod_order_wide(&digest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_framed_so_moving_a_byte_between_them_changes_the_challenge() {
        let mut a = Transcript::new(b"t");
        a.field(b"ab").field(b"c");
        let mut b = Transcript::new(b"t");
        b.field(b"a").field(b"bc");
        assert_ne!(a.challenge(), b.challenge());
        let mut c = Transcript::new(b"u");
        c.field(b"ab").field(b"c");
        let mut d = Transcript::new(b"t");
        d.field(b"ab").field(b"c");
        assert_ne!(c.challenge(), d.challenge());
    }

    /// The bytes hashed are exactly those docs/verifiable.md gives.
    #[test]
    fn the_challenge_is_sha512_of_the_framed_fields_reduced() {
        let mut t = Transcript::new(b"tag");
        t.field(b"xy").index(7);
        let mut bytes = Vec::new();
        for f in [PROTOCOL, b"tag", b"xy", &7u32.to_be_bytes()] {
            bytes.extend_from_slice(&(f.len() as u32).to_be_bytes());
            bytes.extend_from_slice(f);
        }
        let digest: [u8; 64] = Sha512::digest(&bytes).into();
        assert_eq!(t.challenge(), Scalar::from_bytes_mod_order_wide(&digest));
    }
}
