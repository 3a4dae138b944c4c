//! Argon2id password hashes, computed on threads of their own: a burst of sign-ins queues
//! there instead of taking the cores and threads that casting ballots needs.

use argon2::password_hash::{phc::PasswordHash, PasswordHasher, PasswordVerifier};
use argon2::Argon2;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;

use crate::error::{AppError, AppResult};

type Job = Box<dyn FnOnce() + Send>;

/// Hashes waiting before more are refused with 503 (a member import queues one per row).
const QUEUE: usize = 8192;

/// Hashes and checks passwords on `concurrency` dedicated threads (each hash takes 19 MiB and
/// a core while it runs).
#[derive(Clone)]
pub struct Passwords {
    jobs: std::sync::mpsc::SyncSender<Job>,
    /// Checked against when the username is unknown, so that costs the same as a wrong password.
    decoy: Arc<String>,
    /// Argon2 verifications run so far, known username or not (for tests and operators).
    verifications: Arc<AtomicU64>,
}

/// Argon2id with OWASP's minimum: m = 19 MiB, t = 2, p = 1 (the crate's defaults).
fn argon2() -> Argon2<'static> {
    Argon2::default()
}

/// Hashes a password (blocking; call from a blocking thread).
pub fn hash_blocking(password: &str) -> Result<String, String> {
    argon2()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| format!("password hashing failed: {e}"))
}

/// Whether `password` matches the stored PHC string (blocking).
pub fn verify_blocking(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

impl Passwords {
    /// Starts `concurrency` hashing threads; they end when every handle is dropped.
    pub fn new(concurrency: usize) -> Result<Passwords, String> {
        let decoy = hash_blocking("a password nobody has: only its cost matters")?;
        let (jobs, queue) = std::sync::mpsc::sync_channel::<Job>(QUEUE);
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..concurrency.max(1) {
            let queue = Arc::clone(&queue);
            std::thread::Builder::new()
                .name(format!("password-{i}"))
                .spawn(move || {
                    yield_to_casts();
                    loop {
                        // Hold the lock only to take a job, never while hashing.
                        let job = match queue.lock() {
                            Ok(q) => q.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                })
                .map_err(|e| format!("cannot start password threads: {e}"))?;
        }
        Ok(Passwords {
            jobs,
            decoy: Arc::new(decoy),
            verifications: Arc::new(AtomicU64::new(0)),
        })
    }

    /// The hash an unknown username is checked against: made like every member's.
    pub fn decoy(&self) -> &str {
        &self.decoy
    }

    /// How many Argon2 verifications have run, against a member's hash or the decoy.
    pub fn verifications(&self) -> u64 {
        self.verifications.load(Ordering::Relaxed)
    }

    async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> AppResult<T> {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = reply.send(job());
        });
        // A full queue is an overload: say so at once rather than hang.
        self.jobs.try_send(job).map_err(|_| {
            AppError::unavailable("Too many sign-ins at once; try again in a few seconds.")
        })?;
        answer
            .await
            .map_err(|_| AppError::internal("a password thread stopped"))
    }

    pub async fn hash(&self, password: String) -> AppResult<String> {
        self.run(move || hash_blocking(&password))
            .await?
            .map_err(AppError::internal)
    }

    /// Hashes many passwords, on every hashing thread at once.
    pub async fn hash_all(&self, passwords: Vec<String>) -> AppResult<Vec<String>> {
        let jobs = passwords.into_iter().map(|p| self.hash(p));
        futures_util::future::join_all(jobs)
            .await
            .into_iter()
            .collect()
    }

    /// Checks a password against the stored hash, or against a decoy when there is none.
    pub async fn verify(&self, password: String, stored: Option<String>) -> AppResult<bool> {
        let known = stored.is_some();
        let hash = stored.unwrap_or_else(|| self.decoy.as_str().to_owned());
        let counter = self.verifications.clone();
        let ok = self
            .run(move || {
                let ok = verify_blocking(&password, &hash);
                counter.fetch_add(1, Ordering::Relaxed);
                ok
            })
            .await?;
        Ok(known && ok)
    }
}

/// Lowers the calling thread's scheduling priority by 10 (nice, at most 19): hashing is
/// deliberately slow and a sign-in can wait a moment, while a cast waiting behind a burst of
/// sign-ins would not be answered in time. Linux only (elsewhere the call would lower the whole
/// process).
fn yield_to_casts() {
    #[cfg(target_os = "linux")]
    // SAFETY: gettid, getpriority and setpriority only read and set this thread's scheduling
    // attributes.
    unsafe {
        let tid = libc::gettid() as libc::id_t;
        let nice = libc::getpriority(libc::PRIO_PROCESS, tid);
        if libc::setpriority(libc::PRIO_PROCESS, tid, (nice + 10).min(19)) != 0 {
            tracing::debug!("could not lower the priority of a password thread");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_with_owasp_parameters_and_verify() {
        let h = hash_blocking("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify_blocking("correct horse", &h));
        assert!(!verify_blocking("correct hors", &h));
        assert!(!verify_blocking("correct horse", "not a hash"));
        assert_ne!(h, hash_blocking("correct horse").unwrap(), "salted");
    }

    /// The nice value of each of this process's threads named `name`, from /proc.
    #[cfg(target_os = "linux")]
    fn nice_of_threads(name: &str) -> Vec<i64> {
        let mut found = Vec::new();
        for task in std::fs::read_dir("/proc/self/task").unwrap() {
            let dir = task.unwrap().path();
            let comm = std::fs::read_to_string(dir.join("comm")).unwrap_or_default();
            if comm.trim() == name {
                let stat = std::fs::read_to_string(dir.join("stat")).unwrap();
                let after = stat.rsplit_once(')').unwrap().1;
                // Fields after the name: state is the first, nice the 17th.
                found.push(after.split_whitespace().nth(16).unwrap().parse().unwrap());
            }
        }
        found
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn hashing_threads_give_way_to_the_rest_of_the_service() {
        let passwords = Passwords::new(1).unwrap();
        // A job done means the thread has started and set its priority.
        let hash = passwords.hash("a password to hash".into()).await.unwrap();
        assert!(passwords
            .verify("a password to hash".into(), Some(hash))
            .await
            .unwrap());
        let own = nice_of_threads("password-0");
        assert!(!own.is_empty(), "no password thread found");
        // SAFETY: getpriority only reads the process's nice value.
        let process = i64::from(unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) });
        let expected = (process + 10).min(19);
        assert!(
            own.iter().all(|n| *n == expected),
            "{own:?}, process at {process}"
        );
    }
}
