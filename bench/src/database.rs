//! The database side of the run: the fresh database the server runs on, the engine's own
//! durable-insert rate, and ballots written in bulk for the scale run.

use diesel::ExpressionMethods;
use rand::{Rng, SeedableRng};
use std::path::Path;
use std::time::Instant;
use tinnhiem::db::{self, DbConn};
use tinnhiem::DatabaseUrl;

/// The database the server runs on.
pub struct Target {
    /// What the server is given as `--database`.
    pub url: String,
    /// For PostgreSQL: the server URL and the database created for this run.
    created: Option<(String, String)>,
}

impl Target {
    pub fn create(database: Option<&str>, dir: &Path) -> Result<Target, String> {
        match database {
            Some(url) if url.starts_with("postgres") => {
                let name = format!("tinnhiem_bench_{}", uuid::Uuid::new_v4().simple());
                let mut admin = db::Manager::new(DatabaseUrl::parse(url))
                    .connect()
                    .map_err(|e| e.to_string())?;
                diesel::connection::SimpleConnection::batch_execute(
                    &mut admin,
                    &format!("CREATE DATABASE {name}"),
                )
                .map_err(|e| e.to_string())?;
                let base = url.rsplit_once('/').map_or(url, |(b, _)| b);
                Ok(Target {
                    url: format!("{base}/{name}"),
                    created: Some((url.to_owned(), name)),
                })
            }
            Some(path) => Ok(Target {
                url: path.to_owned(),
                created: None,
            }),
            None => Ok(Target {
                url: dir.join("bench.db").to_string_lossy().into_owned(),
                created: None,
            }),
        }
    }

    pub fn drop_database(&self) {
        if let Some((server, name)) = &self.created {
            if let Ok(mut admin) = db::Manager::new(DatabaseUrl::parse(server)).connect() {
                let _ = diesel::connection::SimpleConnection::batch_execute(
                    &mut admin,
                    &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                );
            }
        }
    }
}

/// The engine's own limit: one-row inserts, each its own durable transaction, on the same
/// engine with the same settings (SQLite: a file beside the bench database, same pragmas).
pub fn engine_inserts_per_s(url: &str, dir: &Path, secs: f64) -> Result<f64, String> {
    let url = match DatabaseUrl::parse(url) {
        DatabaseUrl::Sqlite(_) => DatabaseUrl::Sqlite(dir.join("engine.db")),
        pg => pg,
    };
    let mut conn = db::Manager::new(url).connect().map_err(|e| e.to_string())?;
    let create = match conn {
        DbConn::Sqlite(_) => "CREATE TABLE engine_probe (id TEXT PRIMARY KEY NOT NULL, body TEXT NOT NULL) WITHOUT ROWID",
        DbConn::Pg(_) => "CREATE TABLE engine_probe (id TEXT PRIMARY KEY NOT NULL, body TEXT NOT NULL)",
    };
    diesel::connection::SimpleConnection::batch_execute(&mut conn, create)
        .map_err(|e| e.to_string())?;
    let body = "h".repeat(44);
    let t = Instant::now();
    let mut inserts = 0u64;
    while t.elapsed().as_secs_f64() < secs {
        let id = uuid::Uuid::new_v4().to_string();
        db::write_transaction(&mut conn, |c| {
            use diesel::RunQueryDsl;
            diesel::sql_query(match c {
                DbConn::Sqlite(_) => "INSERT INTO engine_probe (id, body) VALUES (?, ?)",
                DbConn::Pg(_) => "INSERT INTO engine_probe (id, body) VALUES ($1, $2)",
            })
            .bind::<diesel::sql_types::Text, _>(&id)
            .bind::<diesel::sql_types::Text, _>(&body)
            .execute(c)
        })
        .map_err(|e| e.to_string())?;
        inserts += 1;
    }
    let rate = inserts as f64 / t.elapsed().as_secs_f64();
    let _ =
        diesel::connection::SimpleConnection::batch_execute(&mut conn, "DROP TABLE engine_probe");
    Ok(rate)
}

/// Writes `count` delegates into the council, straight into the database in one transaction,
/// so that the next vote opened there has them among its electors; returns their ids.
pub fn bulk_delegates(url: &str, council_id: &str, count: usize) -> Result<Vec<String>, String> {
    let mut conn = db::Manager::new(DatabaseUrl::parse(url))
        .connect()
        .map_err(|e| e.to_string())?;
    let now = db::now();
    db::write_transaction(&mut conn, |c| {
        let mut ids = Vec::with_capacity(count);
        for i in 0..count {
            let member = db::members::MemberRow::new(
                Some(council_id.to_owned()),
                format!("scale-{i}"),
                format!("Scale {i}"),
                "not a password hash".to_owned(),
                &[tinnhiem::domain::Role::Delegate],
            );
            let member = db::members::MemberRow {
                created_at: now,
                ..member
            };
            db::members::insert(c, &member)?;
            ids.push(member.id);
        }
        Ok::<_, diesel::result::Error>(ids)
    })
    .map_err(|e| e.to_string())
}

/// Casts a ballot of `width` random marks for each of `members`, electors of the open vote
/// `vote_id`, straight into the database in one transaction: as the service casts, the elector
/// is marked as having cast and the ballot is stored apart. The vote's record then holds
/// together: its electors are those the vote opened with.
pub fn bulk_ballots(
    url: &str,
    vote_id: &str,
    members: &[String],
    width: usize,
) -> Result<(), String> {
    use db::schema::electors;
    use diesel::{QueryDsl, RunQueryDsl};
    let mut conn = db::Manager::new(DatabaseUrl::parse(url))
        .connect()
        .map_err(|e| e.to_string())?;
    let mut rng = rand::rngs::StdRng::seed_from_u64(2023);
    let codes = ['h', 'h', 'h', 'm', 'm', 'l', '-'];
    db::write_transaction(&mut conn, |c| {
        for member in members {
            let flipped = diesel::update(
                electors::table
                    .filter(electors::vote_id.eq(vote_id))
                    .filter(electors::member_id.eq(member)),
            )
            .set(electors::has_cast.eq(true))
            .execute(c)?;
            if flipped != 1 {
                return Err(diesel::result::Error::NotFound);
            }
            let marks: String = (0..width)
                .map(|_| codes[rng.gen_range(0..codes.len())])
                .collect();
            db::ballots::insert_ballot(c, vote_id, &marks)?;
        }
        Ok::<(), diesel::result::Error>(())
    })
    .map_err(|e| e.to_string())
}
