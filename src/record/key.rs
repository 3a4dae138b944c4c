//! The installation's record signing key (Ed25519): given by configuration, or generated at
//! first start and kept in a file readable by its owner only, like the token key.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use rand::RngCore;
use std::fmt;
use std::path::Path;

use crate::private_file::{self, KeyFileError};

/// A base64 seed from the environment; never printed.
#[derive(Clone, Default)]
pub struct SeedText(pub Option<String>);

impl fmt::Debug for SeedText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(_) => f.write_str("Some(<redacted>)"),
            None => f.write_str("None"),
        }
    }
}

/// Signs records. Its Debug form shows the public key only.
#[derive(Clone)]
pub struct RecordKey {
    signing: SigningKey,
}

impl fmt::Debug for RecordKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RecordKey(public {})", self.public_key())
    }
}

impl RecordKey {
    pub fn from_seed(seed: &[u8; 32]) -> RecordKey {
        RecordKey {
            signing: SigningKey::from_bytes(seed),
        }
    }

    /// A new random key.
    pub fn generate() -> RecordKey {
        let mut seed = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut seed);
        RecordKey::from_seed(&seed)
    }

    /// The key from `configured` (base64 of a 32-byte seed) when given; else read from
    /// `key_file`, which is created with a fresh key (owner-only) on first start.
    pub fn load_or_create(
        configured: Option<&str>,
        key_file: &Path,
    ) -> Result<RecordKey, KeyFileError> {
        if let Some(text) = configured {
            return parse_seed(text)
                .map(|seed| RecordKey::from_seed(&seed))
                .map_err(|why| KeyFileError::Configured {
                    name: "TINNHIEM_SIGNING_KEY",
                    why,
                });
        }
        let (bytes, created) = private_file::load_or_create(key_file, || {
            format!("{}\n", RecordKey::generate().seed_base64()).into_bytes()
        })?;
        let key = std::str::from_utf8(&bytes)
            .map_err(|_| "is not base64".to_owned())
            .and_then(parse_seed)
            .map(|seed| RecordKey::from_seed(&seed))
            .map_err(|why| KeyFileError::Invalid {
                path: key_file.to_owned(),
                why: format!(
                    "{why}; restore it from your backup (records it signed are checked against \
                     its public key)"
                ),
            })?;
        if created {
            tracing::info!(
                file = %key_file.display(),
                public_key = %key.public_key(),
                "created the record signing key; back it up with the database"
            );
        }
        Ok(key)
    }

    /// Base64 of the 32-byte public key.
    pub fn public_key(&self) -> String {
        BASE64.encode(self.signing.verifying_key().as_bytes())
    }

    pub fn verifying_key(&self) -> VerifyingKey {
        self.signing.verifying_key()
    }

    /// Base64 of the Ed25519 signature over `message`.
    pub fn sign(&self, message: &[u8]) -> String {
        BASE64.encode(self.signing.sign(message).to_bytes())
    }

    fn seed_base64(&self) -> String {
        BASE64.encode(self.signing.to_bytes())
    }
}

fn parse_seed(text: &str) -> Result<[u8; 32], String> {
    let bytes = BASE64
        .decode(text.trim())
        .map_err(|_| "is not base64".to_owned())?;
    bytes
        .try_into()
        .map_err(|_| "is not the base64 of a 32-byte Ed25519 seed".to_owned())
}

/// An Ed25519 public key from base64 (32 bytes): the canonical encoding of a point that is not
/// of small order. A small-order key (the identity, for one) lets a single signature verify
/// every message under libraries that do not refuse it; a non-canonical encoding is a second
/// spelling of a point. Neither is a key anyone signs with.
pub fn parse_public_key(text: &str) -> Result<VerifyingKey, String> {
    let bytes = BASE64
        .decode(text.trim())
        .map_err(|_| "the public key is not base64".to_owned())?;
    let bytes: [u8; 32] = bytes
        .try_into()
        .map_err(|_| "the public key is not 32 bytes long".to_owned())?;
    let key = VerifyingKey::from_bytes(&bytes)
        .map_err(|_| "the public key is not a valid Ed25519 point".to_owned())?;
    if key.to_edwards().compress().to_bytes() != bytes {
        return Err("the public key is not the canonical encoding of its point".into());
    }
    if key.is_weak() {
        return Err(
            "the public key is a point of small order, under which one signature can verify \
             any message"
                .into(),
        );
    }
    Ok(key)
}

/// Checks a base64 signature over `message` (strict RFC 8032 verification): S must be below
/// the group order ℓ, R the canonical encoding of a point not of small order, and the key not
/// of small order either ([`parse_public_key`] refuses such keys before this is reached).
pub fn check_signature(key: &VerifyingKey, message: &[u8], signature: &str) -> Result<(), String> {
    let bytes = BASE64
        .decode(signature.trim())
        .map_err(|_| "the signature is not base64".to_owned())?;
    let signature = Signature::from_slice(&bytes)
        .map_err(|_| "the signature is not 64 bytes long".to_owned())?;
    if key.is_weak() {
        return Err("the key is a point of small order".into());
    }
    // verify_strict refuses S ≥ ℓ, a small-order R, and an R that does not re-encode to the
    // same bytes.
    key.verify_strict(message, &signature)
        .map_err(|_| "the signature does not match the record and key".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_key_is_kept_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tinnhiem-signing.key");
        let first = RecordKey::load_or_create(None, &path).unwrap();
        let again = RecordKey::load_or_create(None, &path).unwrap();
        assert_eq!(first.public_key(), again.public_key());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // Only the key file is left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        assert!(!format!("{first:?}").contains(&first.seed_base64()));
    }

    #[test]
    fn a_configured_seed_wins_and_bad_ones_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        let seed = BASE64.encode([7u8; 32]);
        let key = RecordKey::load_or_create(Some(&seed), &path).unwrap();
        assert_eq!(
            key.public_key(),
            RecordKey::from_seed(&[7u8; 32]).public_key()
        );
        assert!(
            !path.exists(),
            "no file is written when the key is configured"
        );
        assert!(RecordKey::load_or_create(Some("not base64!"), &path).is_err());
        assert!(RecordKey::load_or_create(Some(&BASE64.encode([1u8; 16])), &path).is_err());
        std::fs::write(&path, "garbage").unwrap();
        let err = RecordKey::load_or_create(None, &path).unwrap_err();
        assert!(matches!(err, KeyFileError::Invalid { .. }), "{err:?}");
        assert!(
            err.to_string().contains("restore it from your backup"),
            "{err}"
        );
    }

    #[test]
    fn racing_starts_end_up_with_one_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        let keys: Vec<String> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|_| s.spawn(|| RecordKey::load_or_create(None, &path).unwrap().public_key()))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert!(keys.iter().all(|k| *k == keys[0]), "{keys:?}");
    }

    #[test]
    fn signatures_check_against_their_key_only() {
        let key = RecordKey::from_seed(&[1u8; 32]);
        let other = RecordKey::from_seed(&[2u8; 32]);
        let sig = key.sign(b"record");
        let public = parse_public_key(&key.public_key()).unwrap();
        assert_eq!(check_signature(&public, b"record", &sig), Ok(()));
        assert!(check_signature(&public, b"recorD", &sig).is_err());
        assert!(check_signature(&other.verifying_key(), b"record", &sig).is_err());
        assert!(check_signature(&public, b"record", "AAAA").is_err());
        assert!(parse_public_key("AAAA").is_err());
    }

    #[test]
    fn small_order_and_non_canonical_keys_are_refused() {
        // The identity (order 1) and the point of order 2: R = identity, S = 0 would verify
        // every message under the identity key if it were accepted.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        let err = parse_public_key(&BASE64.encode(identity)).unwrap_err();
        assert!(err.contains("small order"), "{err}");
        let mut order_two = [0xffu8; 32];
        order_two[0] = 0xec;
        order_two[31] = 0x7f;
        assert!(parse_public_key(&BASE64.encode(order_two)).is_err());
        let weak = VerifyingKey::from_bytes(&identity).unwrap();
        let mut universal = [0u8; 64];
        universal[0] = 1;
        assert!(check_signature(&weak, b"any record", &BASE64.encode(universal)).is_err());

        // y + p for a small y is another spelling of the point with that y, where there is one.
        let spelled_twice = (2u8..19).find_map(|y| {
            let mut bytes = [0xffu8; 32];
            bytes[0] = 0xed + y;
            bytes[31] = 0x7f;
            VerifyingKey::from_bytes(&bytes).ok().map(|_| bytes)
        });
        let bytes = spelled_twice.expect("some y + p below 2^255 decodes");
        let err = parse_public_key(&BASE64.encode(bytes)).unwrap_err();
        assert!(err.contains("canonical"), "{err}");
        let good = RecordKey::from_seed(&[3u8; 32]).public_key();
        assert!(parse_public_key(&good).is_ok());
    }
}
