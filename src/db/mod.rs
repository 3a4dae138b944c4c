//! The database: one codebase over SQLite and PostgreSQL, a pool, migrations, transactions.

pub mod ballots;
pub mod committees;
pub mod councils;
pub mod encrypted;
pub mod members;
pub mod records;
pub mod schema;
pub mod votes;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::r2d2::{self, ManageConnection, R2D2Connection};
use diesel::sqlite::SqliteConnection;
use diesel::Connection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use std::time::Duration;

use crate::config::DatabaseUrl;
use crate::error::{AppError, AppResult};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// How long a SQLite connection waits for the write lock before giving up.
const SQLITE_BUSY_TIMEOUT_MS: u32 = 5_000;

/// A connection to either backend; queries are written once against it.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Sqlite(SqliteConnection),
    Pg(PgConnection),
}

/// Runs one diesel query on whichever backend `conn` holds. The two-backend connection builds
/// a query's SQL text on every execution and finds its prepared statement by that text; run on
/// the backend's own connection, a query with a static shape is prepared once and found by its
/// type. Worth it on the hot path of casting, where each statement runs once per ballot.
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $run:expr) => {
        match $conn {
            $crate::db::DbConn::Sqlite($c) => $run,
            $crate::db::DbConn::Pg($c) => $run,
        }
    };
}
pub(crate) use on_backend;

pub type Pool = r2d2::Pool<Manager>;
pub type PooledConn = r2d2::PooledConnection<Manager>;

/// Opens connections of the backend the URL names, set up for our use.
#[derive(Debug, Clone)]
pub struct Manager {
    url: DatabaseUrl,
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot connect to the database: {0}")]
    Connect(#[from] diesel::ConnectionError),
    #[error("database query failed: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("migrations failed: {0}")]
    Migration(String),
    #[error("connection pool: {0}")]
    Pool(#[from] r2d2::PoolError),
}

impl Manager {
    pub fn new(url: DatabaseUrl) -> Manager {
        Manager { url }
    }

    /// A new connection, set up: SQLite gets its pragmas for durability, concurrency and secrecy.
    pub fn connect(&self) -> Result<DbConn, DbError> {
        match &self.url {
            DatabaseUrl::Sqlite(path) => {
                create_private_file(path);
                let mut conn = SqliteConnection::establish(&path.to_string_lossy())?;
                // synchronous=FULL: an acknowledged ballot survives power loss.
                // secure_delete: rewritten ballots leave no old bytes in the file.
                conn.batch_execute(&format!(
                    "PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS};
                     PRAGMA journal_mode = WAL;
                     PRAGMA synchronous = FULL;
                     PRAGMA foreign_keys = ON;
                     PRAGMA secure_delete = ON;
                     PRAGMA cache_size = -1024;"
                ))?;
                Ok(DbConn::Sqlite(conn))
            }
            DatabaseUrl::Postgres(url) => Ok(DbConn::Pg(PgConnection::establish(url)?)),
        }
    }
}

/// Creates an empty database file readable by its owner only, when there is none: SQLite then
/// gives its -wal and -shm files the same mode. An existing file is left as it is.
fn create_private_file(path: &std::path::Path) {
    // Exists already (the usual case), or cannot be made: SQLite reports the real problem.
    let _ = crate::private_file::create(path, b"");
}

impl ManageConnection for Manager {
    type Connection = DbConn;
    type Error = DbError;

    fn connect(&self) -> Result<DbConn, DbError> {
        Manager::connect(self)
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), DbError> {
        Ok(conn.ping()?)
    }

    fn has_broken(&self, conn: &mut DbConn) -> bool {
        conn.is_broken()
    }
}

/// An arbitrary constant naming the PostgreSQL advisory lock held while migrating.
const MIGRATION_LOCK: i64 = 0x7469_6e6e_6869_656d;

/// Runs the pending migrations of the connection's backend. On PostgreSQL, replicas starting
/// together take turns under an advisory lock instead of racing to create the same tables.
pub fn migrate(conn: &mut DbConn) -> Result<(), DbError> {
    let done = match conn {
        DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|_| ()),
        DbConn::Pg(c) => {
            c.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))?;
            let done = c.run_pending_migrations(POSTGRES_MIGRATIONS).map(|_| ());
            c.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"))?;
            done
        }
    };
    done.map_err(|e| DbError::Migration(e.to_string()))
}

/// Connects, migrates, and opens the pool.
pub fn open_pool(url: &DatabaseUrl, size: u32, timeout: Duration) -> Result<Pool, DbError> {
    let manager = Manager::new(url.clone());
    let mut first = manager.connect()?;
    migrate(&mut first)?;
    drop(first);
    Ok(r2d2::Pool::builder()
        // A server connection can die between requests, so it is checked at each checkout;
        // a SQLite file connection cannot, and the check would cost every request a query.
        .test_on_check_out(matches!(url, DatabaseUrl::Postgres(_)))
        .max_size(size)
        .connection_timeout(timeout)
        .build(manager)?)
}

/// Request work off the async workers: each job runs on a blocking thread with one pooled
/// connection, checkout, queries and transaction all in one place.
/// The pool, and the one way request handling reaches it.
#[derive(Clone)]
pub struct Database {
    pool: Pool,
}

impl Database {
    pub fn new(pool: Pool) -> Database {
        Database { pool }
    }

    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// Runs `job` with one pooled connection on a blocking thread.
    pub async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce(&mut DbConn) -> AppResult<T> + Send + 'static,
    ) -> AppResult<T> {
        let pool = self.pool.clone();
        actix_web::web::block(move || {
            let mut conn = pool.get()?;
            job(&mut conn)
        })
        .await
        .map_err(AppError::from)?
    }
}

/// Runs `f` in a transaction that may write. On SQLite it takes the write lock at BEGIN
/// (`BEGIN IMMEDIATE`): a deferred transaction that reads then writes fails with "database is
/// locked" under concurrency, whatever busy_timeout says.
pub fn write_transaction<T, E>(
    conn: &mut DbConn,
    f: impl FnOnce(&mut DbConn) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    match conn {
        DbConn::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?,
        DbConn::Pg(c) => AnsiTransactionManager::begin_transaction(c)?,
    }
    match f(conn) {
        Ok(value) => match <DbConn as TransactionManager<DbConn>>::commit_transaction(conn) {
            Ok(()) => Ok(value),
            Err(e) => {
                let _ = <DbConn as TransactionManager<DbConn>>::rollback_transaction(conn);
                Err(e.into())
            }
        },
        Err(e) => {
            let _ = <DbConn as TransactionManager<DbConn>>::rollback_transaction(conn);
            Err(e)
        }
    }
}

/// Whether a diesel error is a UNIQUE constraint violation (a username taken, a double cast).
pub fn is_unique_violation(e: &diesel::result::Error) -> bool {
    matches!(
        e,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}

/// Current time, truncated to milliseconds so both backends store and return the same value.
pub fn now() -> chrono::NaiveDateTime {
    let now = chrono::Utc::now().naive_utc();
    chrono::DurationRound::duration_trunc(now, chrono::TimeDelta::milliseconds(1)).unwrap_or(now)
}
