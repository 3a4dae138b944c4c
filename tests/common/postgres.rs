//! Whether the suite runs on PostgreSQL: the one place the environment is read for it.
//! Also included by bench/tests/bench.rs, which runs against the same server.

/// Names the PostgreSQL server the suite runs on (e.g.
/// `postgres://postgres@127.0.0.1:5432/test`); unset or empty, the suite runs on SQLite.
pub const POSTGRES_ENV: &str = "TINNHIEM_TEST_POSTGRES";

/// The PostgreSQL server the suite runs on, if one is configured.
pub fn postgres_url() -> Option<String> {
    std::env::var(POSTGRES_ENV)
        .ok()
        .filter(|url| !url.is_empty())
}
