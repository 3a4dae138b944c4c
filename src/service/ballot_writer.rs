//! Group commit for cast ballots. One thread writes every cast: it takes all the casts waiting
//! at that moment, records them inside ONE transaction, commits once (one fsync for the whole
//! group), and only then answers each of them. A ballot is never
//! acknowledged before it is durable, and a burst costs one commit per group, not per ballot.

use std::collections::hash_map::{Entry, HashMap};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

use super::ballots;
use super::eligibility::PendingCast;
use crate::db::votes::{self as vote_rows, Lock};
use crate::db::{self, Pool};
use crate::error::{AppError, AppResult};

/// The most casts committed together.
const MAX_GROUP: usize = 256;
/// Casts waiting for the writer before new ones wait to be queued.
const QUEUE: usize = 4096;

struct Job {
    cast: PendingCast,
    reply: oneshot::Sender<AppResult<()>>,
}

#[derive(Clone)]
pub struct BallotWriter {
    queue: mpsc::Sender<Job>,
    stopped: WriterStopped,
}

/// Set once the writer thread has committed and answered every cast queued before its last
/// handle was dropped, and has let go of its pool: a server shutting down waits for it.
#[derive(Clone, Default)]
pub struct WriterStopped(Arc<(Mutex<bool>, Condvar)>);

impl WriterStopped {
    fn set(&self) {
        let (done, changed) = &*self.0;
        *done.lock().unwrap_or_else(|e| e.into_inner()) = true;
        changed.notify_all();
    }

    /// Waits at most `limit`; whether the writer had stopped by then.
    pub fn wait(&self, limit: Duration) -> bool {
        let (done, changed) = &*self.0;
        let guard = done.lock().unwrap_or_else(|e| e.into_inner());
        let (guard, _) = changed
            .wait_timeout_while(guard, limit, |done| !*done)
            .unwrap_or_else(|e| e.into_inner());
        *guard
    }
}

impl BallotWriter {
    /// Starts the writer thread; it ends when every handle is dropped, after the casts already
    /// queued are committed and answered.
    pub fn start(pool: Pool) -> std::io::Result<BallotWriter> {
        let (queue, jobs) = mpsc::channel(QUEUE);
        let stopped = WriterStopped::default();
        let signal = stopped.clone();
        std::thread::Builder::new()
            .name("ballot-writer".into())
            .spawn(move || {
                write_groups(pool, jobs);
                signal.set();
            })?;
        Ok(BallotWriter { queue, stopped })
    }

    pub fn stopped(&self) -> WriterStopped {
        self.stopped.clone()
    }

    /// Records the cast; answers once it is committed, or with why it was refused.
    pub async fn cast(&self, cast: PendingCast) -> AppResult<()> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Job { cast, reply })
            .await
            .map_err(|_| AppError::internal("the ballot writer has stopped"))?;
        answer
            .await
            .map_err(|_| AppError::internal("the ballot writer dropped a cast"))?
    }
}

fn write_groups(pool: Pool, mut jobs: mpsc::Receiver<Job>) {
    while let Some(first) = jobs.blocking_recv() {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match jobs.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        let outcomes = commit_group(&pool, &group);
        for (job, outcome) in group.into_iter().zip(outcomes) {
            // The caller may have gone (a dropped connection): its ballot stands regardless.
            let _ = job.reply.send(outcome);
        }
    }
}

/// One transaction for the group. Each vote's state is read once, holding it against a close
/// until the commit; a refused cast (already cast, vote closed, token ended) writes nothing and
/// leaves the others in. If the transaction fails, every cast of the group fails.
fn commit_group(pool: &Pool, group: &[Job]) -> Vec<AppResult<()>> {
    let mut conn = match pool.get() {
        Ok(conn) => conn,
        Err(e) => {
            tracing::warn!(error = %e, casts = group.len(), "no database connection for a group of casts");
            return group.iter().map(|_| Err(unavailable())).collect();
        }
    };
    // Rows are locked in one order, by vote then delegate, so that on PostgreSQL two replicas'
    // groups holding the same delegates (a tablet retrying through both) wait, not deadlock.
    let mut order: Vec<usize> = (0..group.len()).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&group[a].cast, &group[b].cast);
        (&a.vote_id, &a.member_id).cmp(&(&b.vote_id, &b.member_id))
    });
    let mut outcomes: Vec<AppResult<()>> = group.iter().map(|_| Ok(())).collect();
    let committed = db::write_transaction(&mut conn, |conn| {
        let mut states: HashMap<&str, Option<String>> = HashMap::new();
        for &i in &order {
            let cast = &group[i].cast;
            let state = match states.entry(cast.vote_id.as_str()) {
                Entry::Occupied(known) => known.into_mut(),
                Entry::Vacant(new) => {
                    new.insert(vote_rows::lock_state(conn, &cast.vote_id, Lock::Share)?)
                }
            };
            outcomes[i] = ballots::record(conn, cast, state.as_deref())?;
        }
        Ok::<(), diesel::result::Error>(())
    });
    match committed {
        Ok(()) => outcomes,
        Err(e) => group
            .iter()
            .map(|_| {
                Err(AppError::internal(format_args!(
                    "a group of {} casts failed to commit: {e}",
                    group.len()
                )))
            })
            .collect(),
    }
}

fn unavailable() -> AppError {
    AppError::unavailable(
        "The service cannot reach its database right now; cast again in a moment.",
    )
}
