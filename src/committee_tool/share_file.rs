//! A committee member's share file: what they must keep, on their own device, sealed with a
//! key derived from a passphrase they choose (Argon2id, then ChaCha20-Poly1305). During the
//! ceremony it holds the member's secrets so that an interrupted ceremony can resume; after it,
//! only the share.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};
use std::path::Path;
use tinnhiem_crypto::hex;

use super::error::ToolError;

const FORMAT: &str = "tinnhiem-committee-share/1";
/// Argon2id parameters: the service's password parameters, stronger in time.
const MEMORY_KIB: u32 = 19 * 1024;
const PASSES: u32 = 3;

/// What the file holds, in the clear only in memory. Every value is lowercase hex.
#[derive(Clone, Serialize, Deserialize)]
pub struct ShareFile {
    pub committee_id: String,
    pub position: u32,
    pub threshold: u32,
    pub size: u32,
    /// The member's sealing secret and polynomial: kept during the ceremony only.
    pub sealing_secret: Option<String>,
    pub coefficients: Option<Vec<String>>,
    /// The member's share of the joint secret, and the public keys, after the ceremony.
    pub share: Option<String>,
    pub share_key: Option<String>,
    pub joint_key: Option<String>,
    /// The sealed values this member sent (hex, by recipient), kept so that a resumed run
    /// sends the same ones and checks that the server shows them unchanged.
    #[serde(default)]
    pub sent: Option<Vec<String>>,
    /// The ceremony hash this member confirmed (hex).
    #[serde(default)]
    pub ceremony_hash: Option<String>,
    /// The votes this member decrypted, each with the digest of the sums it decrypted and of
    /// their list of ballots: the tool never decrypts other sums, or another list's, for the
    /// same vote.
    #[serde(default)]
    pub decrypted: Vec<(String, String)>,
}

impl std::fmt::Debug for ShareFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ShareFile(committee {}, position {}, secrets withheld)",
            self.committee_id, self.position
        )
    }
}

#[derive(Serialize, Deserialize)]
struct Sealed {
    format: String,
    kdf: String,
    memory_kib: u32,
    passes: u32,
    salt: String,
    nonce: String,
    ciphertext: String,
}

fn key(passphrase: &str, salt: &[u8], memory_kib: u32, passes: u32) -> Result<Key, ToolError> {
    let params = argon2::Params::new(memory_kib, passes, 1, Some(32))
        .map_err(|e| ToolError::ShareFile(format!("has bad key parameters: {e}")))?;
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut key = [0u8; 32];
    argon
        .hash_password_into(passphrase.as_bytes(), salt, &mut key)
        .map_err(|e| ToolError::ShareFile(format!("key derivation failed: {e}")))?;
    Ok(Key::from(key))
}

impl ShareFile {
    /// Writes the file (owner-only, replacing it whole), sealed with `passphrase`.
    pub fn save(&self, path: &Path, passphrase: &str) -> Result<(), ToolError> {
        if passphrase.chars().count() < 8 {
            return Err(ToolError::ShareFile(
                "needs a passphrase of at least 8 characters".into(),
            ));
        }
        let mut salt = [0u8; 16];
        let mut nonce = [0u8; 12];
        OsRng.fill_bytes(&mut salt);
        OsRng.fill_bytes(&mut nonce);
        let plain = serde_json::to_vec(self).map_err(|e| ToolError::ShareFile(e.to_string()))?;
        let cipher = ChaCha20Poly1305::new(&key(passphrase, &salt, MEMORY_KIB, PASSES)?);
        let ciphertext = cipher
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: &plain,
                    aad: FORMAT.as_bytes(),
                },
            )
            .map_err(|_| ToolError::ShareFile("could not be sealed".into()))?;
        let sealed = Sealed {
            format: FORMAT.into(),
            kdf: "argon2id".into(),
            memory_kib: MEMORY_KIB,
            passes: PASSES,
            salt: hex::encode(&salt),
            nonce: hex::encode(&nonce),
            ciphertext: hex::encode(&ciphertext),
        };
        let text = serde_json::to_string_pretty(&sealed)
            .map_err(|e| ToolError::ShareFile(e.to_string()))?;
        crate::private_file::replace(path, text.as_bytes())
            .map_err(|e| ToolError::ShareFile(format!("{} cannot be written: {e}", path.display())))
    }

    /// Reads the file; `None` when there is none yet.
    pub fn load(path: &Path, passphrase: &str) -> Result<Option<ShareFile>, ToolError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(ToolError::ShareFile(format!(
                    "{} cannot be read: {e}",
                    path.display()
                )))
            }
        };
        let unreadable = || ToolError::ShareFile(format!("{} is not a share file", path.display()));
        let sealed: Sealed = serde_json::from_str(&text).map_err(|_| unreadable())?;
        // Bounded, so that a tampered file cannot make the tool exhaust the machine's memory.
        let sane =
            (8..=1024 * 1024).contains(&sealed.memory_kib) && (1..=16).contains(&sealed.passes);
        if sealed.format != FORMAT || sealed.kdf != "argon2id" || !sane {
            return Err(unreadable());
        }
        let salt = hex::decode(&sealed.salt).ok_or_else(unreadable)?;
        let nonce: [u8; 12] = hex::decode(&sealed.nonce)
            .and_then(|n| n.try_into().ok())
            .ok_or_else(unreadable)?;
        let ciphertext = hex::decode(&sealed.ciphertext).ok_or_else(unreadable)?;
        let cipher =
            ChaCha20Poly1305::new(&key(passphrase, &salt, sealed.memory_kib, sealed.passes)?);
        let plain = cipher
            .decrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: &ciphertext,
                    aad: FORMAT.as_bytes(),
                },
            )
            .map_err(|_| {
                ToolError::ShareFile(format!(
                    "{}: the passphrase does not open it (or the file was changed)",
                    path.display()
                ))
            })?;
        serde_json::from_slice(&plain)
            .map(Some)
            .map_err(|_| unreadable())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_passphrase_opens_the_file_and_nothing_secret_is_in_the_clear() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("share.json");
        let file = ShareFile {
            committee_id: "c".into(),
            position: 2,
            threshold: 2,
            size: 3,
            sealing_secret: None,
            coefficients: None,
            share: Some("ab".repeat(32)),
            share_key: None,
            joint_key: None,
            sent: None,
            ceremony_hash: None,
            decrypted: Vec::new(),
        };
        file.save(&path, "correct horse battery").unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains(&"ab".repeat(32)), "the share is sealed");
        let back = ShareFile::load(&path, "correct horse battery")
            .unwrap()
            .unwrap();
        assert_eq!(back.share, file.share);
        assert!(matches!(
            ShareFile::load(&path, "wrong horse battery"),
            Err(ToolError::ShareFile(_))
        ));
        assert!(ShareFile::load(&dir.path().join("none"), "x")
            .unwrap()
            .is_none());
        assert!(file.save(&path, "short").is_err());
        assert!(!format!("{back:?}").contains("abab"));
    }
}
