//! Everything the service is told from outside, in one struct passed in (never global).

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::auth::LoginLimits;
use crate::record::key::SeedText;

/// Which database an URL names, picked from its scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A SQLite file (created when missing).
    Sqlite(PathBuf),
    /// A PostgreSQL server, `postgres://…` or `postgresql://…`.
    Postgres(String),
}

impl DatabaseUrl {
    /// `postgres://…` selects PostgreSQL; `sqlite://PATH`, `sqlite:PATH` or a plain path, SQLite.
    pub fn parse(url: &str) -> DatabaseUrl {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return DatabaseUrl::Postgres(url.to_owned());
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url);
        DatabaseUrl::Sqlite(PathBuf::from(path))
    }

    /// Where files that belong with the data (the token key) are kept by default: beside a
    /// SQLite file, or in the working directory for a server database.
    pub fn data_dir(&self) -> PathBuf {
        match self {
            DatabaseUrl::Sqlite(path) => match path.parent() {
                Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
                _ => PathBuf::from("."),
            },
            DatabaseUrl::Postgres(_) => PathBuf::from("."),
        }
    }
}

/// The service's settings. `main` fills it from flags and environment; tests build it directly.
#[derive(Debug, Clone)]
pub struct Config {
    pub database: DatabaseUrl,
    /// The HS256 secret that signs access tokens. `None`: read (or create) `token_key_file`.
    pub token_secret: Option<String>,
    /// Where the generated token secret is kept (mode 0600).
    pub token_key_file: PathBuf,
    /// The Ed25519 seed that signs vote records, base64. `None`: read (or create)
    /// `signing_key_file`.
    pub signing_key: SeedText,
    /// Where the generated record signing key is kept (mode 0600).
    pub signing_key_file: PathBuf,
    /// The history of signing keys, whose records are still served. `None`:
    /// `tinnhiem-signing-keys.txt` beside `signing_key_file`.
    pub signing_key_history: Option<PathBuf>,
    /// How long an access token lasts.
    pub token_lifetime: Duration,
    /// Connections in the database pool.
    pub pool_size: u32,
    /// How long a request waits for a pooled connection before answering 503.
    pub pool_timeout: Duration,
    /// Threads hashing passwords (each hash takes 19 MiB and a core while it runs).
    pub hash_concurrency: usize,
    /// The largest JSON body accepted.
    pub json_limit: usize,
    /// The largest CSV import accepted.
    pub csv_limit: usize,
    /// Creates this admin at start when the installation has none.
    pub bootstrap_admin: Option<(String, String)>,
    /// Failed sign-ins allowed per username and per client address.
    pub login_limits: LoginLimits,
    /// Reverse proxies whose `X-Forwarded-For` names the client; from anyone else it is ignored.
    pub trusted_proxies: Vec<IpAddr>,
    /// Origins (`https://host[:port]`) whose web pages may call the API; none by default.
    pub cors_origins: Vec<String>,
    /// Serve HTTPS with this certificate chain and key, for halls with no reverse proxy.
    pub tls: Option<TlsFiles>,
}

impl Config {
    /// Where the history of signing keys is kept.
    pub fn signing_key_history_file(&self) -> PathBuf {
        self.signing_key_history.clone().unwrap_or_else(|| {
            self.signing_key_file
                .with_file_name("tinnhiem-signing-keys.txt")
        })
    }
}

/// PEM files: the certificate chain (leaf first) and its private key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl Config {
    /// Defaults for a database, as `serve` uses them when nothing else is given.
    pub fn for_database(database: DatabaseUrl) -> Config {
        let token_key_file = database.data_dir().join("tinnhiem-token.key");
        let signing_key_file = database.data_dir().join("tinnhiem-signing.key");
        Config {
            database,
            token_secret: None,
            token_key_file,
            signing_key: SeedText::default(),
            signing_key_file,
            signing_key_history: None,
            token_lifetime: Duration::from_secs(8 * 60 * 60),
            pool_size: 16,
            pool_timeout: Duration::from_secs(5),
            // One core is left for casting ballots while a hall signs in.
            hash_concurrency: std::thread::available_parallelism()
                .map(|n| n.get().saturating_sub(1).max(1))
                .unwrap_or(1),
            json_limit: 256 * 1024,
            csv_limit: 4 * 1024 * 1024,
            bootstrap_admin: None,
            login_limits: LoginLimits::default(),
            trusted_proxies: Vec::new(),
            cors_origins: Vec::new(),
            tls: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_select_the_backend_by_scheme() {
        assert_eq!(
            DatabaseUrl::parse("postgres://u@h/db"),
            DatabaseUrl::Postgres("postgres://u@h/db".into())
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:///var/lib/t.db"),
            DatabaseUrl::Sqlite("/var/lib/t.db".into())
        );
        assert_eq!(
            DatabaseUrl::parse("tinnhiem.db"),
            DatabaseUrl::Sqlite("tinnhiem.db".into())
        );
        assert_eq!(
            DatabaseUrl::parse("tinnhiem.db").data_dir(),
            PathBuf::from(".")
        );
        assert_eq!(
            DatabaseUrl::parse("/srv/t/x.db").data_dir(),
            PathBuf::from("/srv/t")
        );
    }
}
