//! What every request handler shares: the database, the token keys, the password hasher, the
//! sign-in throttle, casting, and the record signing key.

use crate::auth::{self, Passwords, Throttle, TokenKeys};
use crate::config::Config;
use crate::db::{self, Database, DbError};
use crate::error::Problem;
use crate::private_file::KeyFileError;
use crate::record::key::SigningKeys;
use crate::record::RecordKey;
use crate::service::accounts;
use crate::service::casting::Casting;
use crate::service::records::RecordCheck;

#[derive(Clone)]
pub struct AppState {
    pub database: Database,
    pub tokens: TokenKeys,
    pub passwords: Passwords,
    /// The ballot writer and this replica's ballot layouts.
    pub casting: Casting,
    /// Signs the records of closed votes.
    pub record_key: RecordKey,
    /// Every key that has signed this installation's records (`record_key` first), and the
    /// records this process has verified with them.
    pub records: RecordCheck,
    /// Failed sign-ins per username and address (in memory, per replica).
    pub throttle: Throttle,
    pub config: Config,
}

/// Why the service could not start; each says what the operator should look at.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{0}")]
    Config(String),
    #[error(transparent)]
    Database(#[from] DbError),
    #[error(transparent)]
    Key(#[from] KeyFileError),
    #[error("cannot start the {what}: {why}")]
    Threads { what: &'static str, why: String },
    #[error("cannot create the first admin: {0}")]
    Admin(String),
}

impl AppState {
    /// Opens the database (running migrations), loads or creates the token and record signing
    /// keys, and creates the bootstrap admin when the installation has none.
    pub fn start(config: Config) -> Result<AppState, StartError> {
        for origin in &config.cors_origins {
            crate::transport::check_origin(origin).map_err(StartError::Config)?;
        }
        let pool = db::open_pool(&config.database, config.pool_size, config.pool_timeout)?;
        let database = Database::new(pool);
        let secret = auth::token::load_or_create_secret(
            config.token_secret.as_deref(),
            &config.token_key_file,
        )?;
        let record_key =
            RecordKey::load_or_create(config.signing_key.0.as_deref(), &config.signing_key_file)?;
        let record_keys =
            SigningKeys::load_or_record(&record_key, &config.signing_key_history_file())?;
        let state = AppState {
            tokens: TokenKeys::new(&secret, config.token_lifetime),
            passwords: Passwords::new(config.hash_concurrency).map_err(|why| {
                StartError::Threads {
                    what: "password hashing threads",
                    why,
                }
            })?,
            casting: Casting::start(database.clone()).map_err(|e| StartError::Threads {
                what: "ballot writer",
                why: e.to_string(),
            })?,
            database,
            record_key,
            records: RecordCheck::new(record_keys),
            throttle: Throttle::new(config.login_limits),
            config,
        };
        if let Some((name, password)) = &state.config.bootstrap_admin {
            state.bootstrap_admin(name, password)?;
        }
        Ok(state)
    }

    fn bootstrap_admin(&self, name: &str, password: &str) -> Result<(), StartError> {
        let mut conn = self.database.pool().get().map_err(DbError::from)?;
        let refused = |e: crate::error::AppError| StartError::Admin(e.to_string());
        if db::members::admin_exists(&mut conn).map_err(DbError::from)? {
            return Ok(());
        }
        let password = accounts::password(password).map_err(refused)?;
        let hash = auth::password::hash_blocking(&password).map_err(StartError::Admin)?;
        match accounts::create_admin(&mut conn, name, hash) {
            Ok(()) => tracing::info!(username = name, "created the first admin"),
            // Another replica starting at the same moment created it first.
            Err(e)
                if e.problem == Problem::UsernameTaken
                    && db::members::admin_exists(&mut conn).unwrap_or(false) => {}
            Err(e) => return Err(refused(e)),
        }
        Ok(())
    }
}
