//! Casting a ballot. The usual cast is checked in memory against its vote's layout and handed
//! straight to the ballot writer, which checks in its transaction what can change (the vote is
//! open, the delegate may cast and has not, the token still stands). Anything else, and any
//! cast the writer refuses, is answered by the full checks against the database, in the order
//! their answers take precedence.

use super::ballot_writer::{BallotWriter, WriterStopped};
use super::ballots;
use super::eligibility::{CastContent, PendingCast};
use super::encrypted_ballots;
use super::layouts::{self, Layouts};
use super::Caller;
use crate::auth::Claims;
use crate::db::Database;
use crate::error::{AppError, AppResult};
use crate::shapes::{Ballot, CastRequest, EncryptedCast, MarksInput};

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

    /// Casts `input`: a server vote's marks, or a committee vote's encrypted ballot. The
    /// encrypted ballot's tracking code, in a committee vote.
    pub async fn cast(
        &self,
        claims: Claims,
        vote_id: String,
        input: CastRequest,
    ) -> AppResult<Option<String>> {
        match (input.marks, input.encrypted) {
            (Some(marks), None) => self.cast_marks(claims, vote_id, marks).await.map(|()| None),
            (None, Some(encrypted)) => self
                .cast_encrypted(claims, vote_id, encrypted)
                .await
                .map(Some),
            _ => Err(AppError::malformed(
                "Send either \"marks\" (a server vote) or \"encrypted\" (a committee vote).",
            )),
        }
    }

    async fn cast_encrypted(
        &self,
        claims: Claims,
        vote_id: String,
        input: EncryptedCast,
    ) -> AppResult<String> {
        let prepared = self
            .database
            .run(move |conn| {
                let caller = Caller::load(conn, &claims)?;
                encrypted_ballots::prepare(conn, &caller, &vote_id, input)
            })
            .await?;
        // Checking the proofs is CPU work: off the async workers.
        let (pending, tracking_code) =
            actix_web::web::block(move || encrypted_ballots::verify(prepared))
                .await
                .map_err(AppError::from)??;
        self.writer.cast(pending).await?;
        Ok(tracking_code)
    }

    async fn cast_marks(
        &self,
        claims: Claims,
        vote_id: String,
        input: MarksInput,
    ) -> AppResult<()> {
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
                content: CastContent::Marks(marks),
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
