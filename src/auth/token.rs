//! Access tokens: HS256 JWTs with the algorithm pinned and iss/aud/exp/nbf checked, carrying the
//! member's token version so a password change, a removed role or a deactivation ends them.

use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::time::Duration;

use crate::private_file::{self, KeyFileError};

pub const ISSUER: &str = "tinnhiem";
pub const AUDIENCE: &str = "tinnhiem-api";
const ALGORITHM: Algorithm = Algorithm::HS256;
/// The shortest secret accepted from configuration.
pub const MIN_SECRET_LEN: usize = 32;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// The member's id.
    pub sub: String,
    pub iss: String,
    pub aud: String,
    pub iat: u64,
    /// Not valid before (the issue time).
    pub nbf: u64,
    pub exp: u64,
    /// The member's `token_version` when the token was issued; refused once it has changed.
    pub ver: i32,
}

#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    lifetime: Duration,
}

impl TokenKeys {
    pub fn new(secret: &[u8], lifetime: Duration) -> TokenKeys {
        let mut validation = Validation::new(ALGORITHM);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "nbf", "iat", "iss", "aud", "sub"]);
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.leeway = 30;
        TokenKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            lifetime,
        }
    }

    pub fn lifetime(&self) -> Duration {
        self.lifetime
    }

    /// A signed token for the member at `version`, valid from now for the configured lifetime.
    pub fn issue(&self, member_id: &str, version: i32) -> Result<String, String> {
        let now = jsonwebtoken::get_current_timestamp();
        let claims = Claims {
            sub: member_id.to_owned(),
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
            iat: now,
            nbf: now,
            exp: now + self.lifetime.as_secs(),
            ver: version,
        };
        encode(&Header::new(ALGORITHM), &claims, &self.encoding)
            .map_err(|e| format!("signing a token failed: {e}"))
    }

    /// The claims of a valid token; `None` for anything forged, expired, or not ours.
    pub fn check(&self, token: &str) -> Option<Claims> {
        decode::<Claims>(token, &self.decoding, &self.validation)
            .ok()
            .map(|data| data.claims)
    }
}

/// The token secret: from configuration when given, else from `key_file`, created with a fresh
/// random secret (owner-only) on first start so a restart does not sign everyone out.
pub fn load_or_create_secret(
    configured: Option<&str>,
    key_file: &Path,
) -> Result<Vec<u8>, KeyFileError> {
    if let Some(secret) = configured {
        if secret.len() < MIN_SECRET_LEN {
            return Err(KeyFileError::Configured {
                name: "TINNHIEM_TOKEN_SECRET",
                why: format!("must be at least {MIN_SECRET_LEN} bytes long"),
            });
        }
        return Ok(secret.as_bytes().to_vec());
    }
    let (secret, _) = private_file::load_or_create(key_file, || {
        let mut secret = vec![0u8; 64];
        rand::rngs::OsRng.fill_bytes(&mut secret);
        secret
    })?;
    if secret.len() < MIN_SECRET_LEN {
        return Err(KeyFileError::Invalid {
            path: key_file.to_owned(),
            why: format!(
                "is shorter than {MIN_SECRET_LEN} bytes; remove it to have a new one made"
            ),
        });
    }
    Ok(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_tokens_check_and_foreign_ones_do_not() {
        let keys = TokenKeys::new(&[7u8; 32], Duration::from_secs(60));
        let token = keys.issue("m1", 3).unwrap();
        let claims = keys.check(&token).unwrap();
        assert_eq!((claims.sub.as_str(), claims.ver), ("m1", 3));
        let other = TokenKeys::new(&[8u8; 32], Duration::from_secs(60));
        assert!(other.check(&token).is_none());
        assert!(keys.check("not.a.token").is_none());
    }

    #[test]
    fn generated_secret_is_kept_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        let first = load_or_create_secret(None, &path).unwrap();
        let again = load_or_create_secret(None, &path).unwrap();
        assert_eq!(first, again);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(load_or_create_secret(Some("short"), &path).is_err());
    }

    #[test]
    fn processes_starting_together_agree_on_one_secret() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        let secrets: Vec<Vec<u8>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|_| s.spawn(|| load_or_create_secret(None, &path).unwrap()))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert!(secrets.windows(2).all(|w| w[0] == w[1]));
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary left"
        );
    }
}
