//! The installation's record signing key (Ed25519): given by configuration, or generated at
//! first start and kept in a file readable by its owner only, like the token key.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use rand::RngCore;
use std::fmt;
use std::path::Path;

use super::model::ALGORITHM;
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

/// A public key that has signed this installation's records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownKey {
    /// Base64 of the 32-byte Ed25519 public key.
    pub public_key: String,
    pub key: VerifyingKey,
    /// When this installation first started with it (RFC 3339, UTC), when the history says.
    pub since: Option<String>,
}

/// Every key that has signed this installation's records: the current one first, then the
/// earlier ones, the most recent first. A record signed by an earlier key is still served and
/// verified against the key it names, when that key is here.
///
/// The history is kept in a file beside the signing key (one `ed25519 <base64> [<since>]` a
/// line), never in the database: whoever could add a key to it could have the service vouch
/// for records they signed themselves, so it gets the protection of the key file, not of the
/// data.
#[derive(Debug, Clone)]
pub struct SigningKeys {
    keys: Vec<KnownKey>,
}

const HISTORY_HEADER: &str = "\
# The public keys that have signed this tinnhiem installation's vote records, one a line:
# the algorithm, the base64 public key, and when the installation first started with it (UTC).
# The service adds its key when it starts with a new one. Keep this file with the signing key
# and its backups: a record is served only if the key it names is here. Lines may be added by
# hand for an earlier key (the time may be left out).
";

impl SigningKeys {
    /// Only the current key: no history.
    pub fn only(current: &RecordKey) -> SigningKeys {
        SigningKeys {
            keys: vec![KnownKey {
                public_key: current.public_key(),
                key: current.verifying_key(),
                since: None,
            }],
        }
    }

    /// Reads the history in `file` (created when missing) and adds `current` to it if it is
    /// not there yet.
    pub fn load_or_record(current: &RecordKey, file: &Path) -> Result<SigningKeys, KeyFileError> {
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let line = format!("{ALGORITHM} {} {now}\n", current.public_key());
        let (bytes, _) =
            private_file::load_or_create(file, || format!("{HISTORY_HEADER}{line}").into_bytes())?;
        let invalid = |why: String| KeyFileError::Invalid {
            path: file.to_owned(),
            why,
        };
        let text = String::from_utf8(bytes).map_err(|_| invalid("is not UTF-8 text".into()))?;
        let mut known = parse_history(&text).map_err(invalid)?;
        if !known.iter().any(|k| k.public_key == current.public_key()) {
            use std::io::Write;
            std::fs::OpenOptions::new()
                .append(true)
                .open(file)
                .and_then(|mut f| {
                    f.write_all(line.as_bytes())?;
                    f.sync_all()
                })
                .map_err(|source| KeyFileError::Create {
                    path: file.to_owned(),
                    source,
                })?;
            tracing::info!(
                file = %file.display(),
                public_key = %current.public_key(),
                earlier = known.len(),
                "added the record signing key to the history of signing keys"
            );
            known.push(KnownKey {
                public_key: current.public_key(),
                key: current.verifying_key(),
                since: Some(now),
            });
        }
        // The current key first, then the others from the most recently added.
        let at = known
            .iter()
            .position(|k| k.public_key == current.public_key())
            .unwrap_or_default();
        let current_key = known.remove(at);
        known.reverse();
        known.insert(0, current_key);
        Ok(SigningKeys { keys: known })
    }

    /// The key that signs records now.
    pub fn current(&self) -> &KnownKey {
        &self.keys[0]
    }

    /// Every key, the current one first.
    pub fn all(&self) -> &[KnownKey] {
        &self.keys
    }

    pub fn verifying_keys(&self) -> Vec<VerifyingKey> {
        self.keys.iter().map(|k| k.key).collect()
    }
}

/// The keys of a history file, in the order of their lines, each once (the first line of a
/// key wins). Comment lines start with `#`.
fn parse_history(text: &str) -> Result<Vec<KnownKey>, String> {
    let mut keys: Vec<KnownKey> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let at = || format!("line {}", i + 1);
        let mut fields = line.split_whitespace();
        let algorithm = fields.next().unwrap_or_default();
        if algorithm != ALGORITHM {
            return Err(format!(
                "{}: the algorithm is \"{algorithm}\", not \"{ALGORITHM}\"",
                at()
            ));
        }
        let public_key = fields
            .next()
            .ok_or_else(|| format!("{}: no public key after the algorithm", at()))?;
        let key = parse_public_key(public_key).map_err(|e| format!("{}: {e}", at()))?;
        let since = fields.next().map(str::to_owned);
        if let Some(s) = &since {
            if super::model::utc_millis(s).is_none() {
                return Err(format!(
                    "{}: \"{s}\" is not a time of the form 2026-11-27T08:09:36.920Z",
                    at()
                ));
            }
        }
        if fields.next().is_some() {
            return Err(format!(
                "{}: more than an algorithm, a key and a time",
                at()
            ));
        }
        let public_key = BASE64.encode(key.as_bytes());
        if !keys.iter().any(|k| k.public_key == public_key) {
            keys.push(KnownKey {
                public_key,
                key,
                since,
            });
        }
    }
    Ok(keys)
}

/// The public keys an auditor trusts, from the text they give: base64 of one key; the JSON of
/// `GET /api/v1/public-key` or of `GET /api/v1/public-keys`; or a history of signing keys
/// (`ed25519 <base64> [<since>]` a line). Every key named must be an Ed25519 key: a key of
/// another `algorithm` is refused, not skipped.
pub fn parse_trusted_keys(text: &str) -> Result<Vec<VerifyingKey>, String> {
    let one = |entry: &serde_json::Value| -> Result<VerifyingKey, String> {
        match entry.get("algorithm") {
            None => {}
            Some(a) if a.as_str() == Some(ALGORITHM) => {}
            Some(a) => {
                return Err(format!(
                    "the key's algorithm is {a}; records are signed with \"{ALGORITHM}\" only"
                ))
            }
        }
        let key = entry
            .get("public_key")
            .and_then(|k| k.as_str())
            .ok_or("the JSON names no \"public_key\"")?;
        parse_public_key(key)
    };
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Object(o)) => match o.get("keys") {
            Some(serde_json::Value::Array(list)) if !list.is_empty() => {
                list.iter().map(one).collect()
            }
            Some(_) => Err("\"keys\" is not a list of keys".into()),
            None => one(&serde_json::Value::Object(o)).map(|k| vec![k]),
        },
        _ if text.lines().any(|l| {
            let l = l.trim_start();
            l.starts_with('#') || l.starts_with(&format!("{ALGORITHM} "))
        }) =>
        {
            let keys = parse_history(text)?;
            if keys.is_empty() {
                return Err("the history names no key".into());
            }
            Ok(keys.into_iter().map(|k| k.key).collect())
        }
        _ => parse_public_key(text).map(|k| vec![k]),
    }
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
    fn the_history_keeps_every_key_the_current_one_first() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("tinnhiem-signing-keys.txt");
        let first = RecordKey::from_seed(&[1u8; 32]);
        let second = RecordKey::from_seed(&[2u8; 32]);
        let keys = SigningKeys::load_or_record(&first, &file).unwrap();
        assert_eq!(keys.all().len(), 1);
        assert_eq!(keys.current().public_key, first.public_key());
        assert!(keys.current().since.is_some());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // Started again with the same key: nothing added.
        let text = std::fs::read_to_string(&file).unwrap();
        SigningKeys::load_or_record(&first, &file).unwrap();
        assert_eq!(std::fs::read_to_string(&file).unwrap(), text);
        // A new key is added; the earlier one stays, after it.
        let keys = SigningKeys::load_or_record(&second, &file).unwrap();
        let order: Vec<&str> = keys.all().iter().map(|k| k.public_key.as_str()).collect();
        assert_eq!(order, [second.public_key(), first.public_key()]);
        // Back to the first key: it is current again, and nothing is added.
        let text = std::fs::read_to_string(&file).unwrap();
        let keys = SigningKeys::load_or_record(&first, &file).unwrap();
        assert_eq!(keys.current().public_key, first.public_key());
        assert_eq!(keys.all().len(), 2);
        assert_eq!(std::fs::read_to_string(&file).unwrap(), text);
        // A line added by hand, without a time, counts; the same key twice counts once.
        let third = RecordKey::from_seed(&[3u8; 32]);
        std::fs::write(
            &file,
            format!(
                "{text}ed25519 {}\ned25519 {}\n",
                third.public_key(),
                first.public_key()
            ),
        )
        .unwrap();
        let keys = SigningKeys::load_or_record(&first, &file).unwrap();
        assert_eq!(keys.all().len(), 3);
        assert_eq!(keys.all()[1].public_key, third.public_key());
        assert_eq!(keys.all()[1].since, None);
        assert_eq!(
            parse_trusted_keys(&std::fs::read_to_string(&file).unwrap())
                .unwrap()
                .len(),
            3
        );
    }

    #[test]
    fn a_history_that_does_not_read_stops_the_start() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("history");
        let key = RecordKey::from_seed(&[1u8; 32]);
        let mut identity = [0u8; 32];
        identity[0] = 1;
        for (text, why) in [
            (format!("ed448 {}\n", key.public_key()), "algorithm"),
            ("ed25519\n".to_owned(), "no public key"),
            (
                format!("ed25519 {}\n", BASE64.encode(identity)),
                "small order",
            ),
            (
                format!("ed25519 {} yesterday\n", key.public_key()),
                "not a time",
            ),
            (
                format!("ed25519 {} 2026-11-27T08:09:36.920Z x\n", key.public_key()),
                "more than",
            ),
        ] {
            std::fs::write(&file, &text).unwrap();
            let err = SigningKeys::load_or_record(&key, &file).unwrap_err();
            assert!(matches!(err, KeyFileError::Invalid { .. }), "{err:?}");
            assert!(
                err.to_string().contains("line 1") && err.to_string().contains(why),
                "{err}"
            );
        }
    }

    #[test]
    fn trusted_keys_are_read_from_every_published_form() {
        let a = RecordKey::from_seed(&[1u8; 32]).public_key();
        let b = RecordKey::from_seed(&[2u8; 32]).public_key();
        assert_eq!(parse_trusted_keys(&a).unwrap().len(), 1);
        let single = serde_json::json!({"algorithm": "ed25519", "public_key": a}).to_string();
        assert_eq!(parse_trusted_keys(&single).unwrap().len(), 1);
        let list = serde_json::json!({"keys": [
            {"algorithm": "ed25519", "public_key": a, "current": true, "since": null},
            {"algorithm": "ed25519", "public_key": b, "current": false, "since": null},
        ]})
        .to_string();
        assert_eq!(parse_trusted_keys(&list).unwrap().len(), 2);
        let other = serde_json::json!({"keys": [
            {"algorithm": "ed25519", "public_key": a},
            {"algorithm": "ed448", "public_key": b},
        ]})
        .to_string();
        assert!(parse_trusted_keys(&other).unwrap_err().contains("ed448"));
        assert!(parse_trusted_keys(r#"{"keys": []}"#).is_err());
        assert!(parse_trusted_keys(r#"{"algorithm": "ed25519"}"#).is_err());
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
