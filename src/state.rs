//! What every request handler shares: the pool, the token keys, the password hasher, the
//! sign-in throttle.

use actix_web::web;

use crate::auth::{self, Passwords, Throttle, TokenKeys};
use crate::config::Config;
use crate::db::{self, DbConn, Pool};
use crate::error::{AppError, AppResult, Problem};
use crate::record::RecordKey;
use crate::service::accounts;
use crate::service::ballot_writer::BallotWriter;
use crate::service::layouts::Layouts;

#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    pub tokens: TokenKeys,
    pub passwords: Passwords,
    pub ballots: BallotWriter,
    /// The ballot layouts of opened votes, read once per replica.
    pub layouts: Layouts,
    /// Signs the records of closed votes.
    pub record_key: RecordKey,
    /// Failed sign-ins per username and address (in memory, per replica).
    pub throttle: Throttle,
    pub config: Config,
}

impl AppState {
    /// Opens the database (running migrations), loads or creates the token and record signing
    /// keys, and creates the bootstrap admin when the installation has none.
    pub fn start(config: Config) -> Result<AppState, String> {
        for origin in &config.cors_origins {
            crate::transport::check_origin(origin)?;
        }
        let pool = db::open_pool(&config.database, config.pool_size, config.pool_timeout)
            .map_err(|e| e.to_string())?;
        let secret = auth::token::load_or_create_secret(
            config.token_secret.as_deref(),
            &config.token_key_file,
        )?;
        let record_key =
            RecordKey::load_or_create(config.signing_key.0.as_deref(), &config.signing_key_file)?;
        let state = AppState {
            pool: pool.clone(),
            tokens: TokenKeys::new(&secret, config.token_lifetime),
            passwords: Passwords::new(config.hash_concurrency)?,
            ballots: BallotWriter::start(pool.clone())
                .map_err(|e| format!("cannot start the ballot writer: {e}"))?,
            layouts: Layouts::default(),
            record_key,
            throttle: Throttle::new(config.login_limits),
            config,
        };
        if let Some((name, password)) = &state.config.bootstrap_admin {
            state.bootstrap_admin(name, password)?;
        }
        Ok(state)
    }

    fn bootstrap_admin(&self, name: &str, password: &str) -> Result<(), String> {
        let mut conn = self.pool.get().map_err(|e| e.to_string())?;
        if db::members::admin_exists(&mut conn).map_err(|e| e.to_string())? {
            return Ok(());
        }
        let password = accounts::password(password).map_err(|e| e.detail)?;
        let hash = auth::password::hash_blocking(&password)?;
        match accounts::create_admin(&mut conn, name, hash) {
            Ok(()) => tracing::info!(username = name, "created the first admin"),
            // Another replica starting at the same moment created it first.
            Err(e)
                if e.problem == Problem::UsernameTaken
                    && db::members::admin_exists(&mut conn).unwrap_or(false) => {}
            Err(e) => return Err(e.detail),
        }
        Ok(())
    }

    /// Runs `job` with one pooled connection on a blocking thread: checkout, queries and
    /// transaction all in one place, off the async workers.
    pub async fn db<T: Send + 'static>(
        &self,
        job: impl FnOnce(&mut DbConn) -> AppResult<T> + Send + 'static,
    ) -> AppResult<T> {
        let pool = self.pool.clone();
        web::block(move || {
            let mut conn = pool.get()?;
            job(&mut conn)
        })
        .await
        .map_err(AppError::from)?
    }
}
