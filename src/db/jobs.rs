//! Database work off the async workers: each job runs on a blocking thread with one pooled
//! connection, checkout, queries and transaction all in one place.

use actix_web::web;

use super::{DbConn, Pool};
use crate::error::{AppError, AppResult};

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
        web::block(move || {
            let mut conn = pool.get()?;
            job(&mut conn)
        })
        .await
        .map_err(AppError::from)?
    }
}
