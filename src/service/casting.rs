//! Casting a ballot. The usual cast is checked in memory against its vote's layout and handed
//! straight to the ballot writer, which checks in its transaction what can change (the vote is
//! open, the delegate may cast and has not, the token still stands). Anything else, and any
//! cast the writer refuses, is answered by the full checks against the database, in the order
//! their answers take precedence.

use super::ballot_writer::{BallotWriter, WriterStopped};
use super::ballots::{self, PendingCast};
use super::layouts::{self, Layouts};
use super::Caller;
use crate::auth::Claims;
use crate::db::Database;
use crate::error::AppResult;
use crate::shapes::{Ballot, MarksInput};

/// What casting needs: the database for the full checks, this replica's ballot layouts, and
/// the one writer that commits casts in groups.
#[derive(Clone)]
pub struct Casting {
    database: Database,
    layouts: Layouts,
    writer: BallotWriter,
}

impl Casting {
    /// Starts the ballot writer on the database's pool.
    pub fn start(database: Database) -> std::io::Result<Casting> {
        Ok(Casting {
            writer: BallotWriter::start(database.pool().clone())?,
            database,
            layouts: Layouts::default(),
        })
    }

    /// Says when the writer has committed and answered every cast queued before the last
    /// handle of this service was dropped.
    pub fn writer_stopped(&self) -> WriterStopped {
        self.writer.stopped()
    }

    /// Keeps the layout of a ballot served to a delegate, so the casts that follow find it.
    pub fn learn(&self, ballot: &Ballot) {
        self.layouts.learn(ballot);
    }

    pub async fn cast(&self, claims: Claims, vote_id: String, input: MarksInput) -> AppResult<()> {
        let layout = match self.layouts.get(&vote_id) {
            Some(layout) => Some(layout),
            None => {
                let id = vote_id.clone();
                self.database
                    .run(move |conn| layouts::load(conn, &id))
                    .await?
                    .map(|layout| self.layouts.keep(vote_id.clone(), layout))
            }
        };
        let marks = layout.and_then(|layout| layout.marks(&input).ok());
        let pending = match marks {
            Some(marks) => PendingCast {
                vote_id,
                member_id: claims.sub,
                token_version: claims.ver,
                marks,
            },
            None => {
                self.database
                    .run(move |conn| {
                        let caller = Caller::load(conn, &claims)?;
                        ballots::prepare(conn, &caller, &vote_id, input)
                    })
                    .await?
            }
        };
        self.writer.cast(pending).await
    }
}
