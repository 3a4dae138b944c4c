//! `tinnhiem serve` as a real process of its own, for tests that run several or kill one.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{Api, ADMIN, ADMIN_PASSWORD};
use reqwest::StatusCode;

/// Shared by every process a test starts, as replicas must share it.
pub const SECRET: &str = "a shared token secret for every replica, 32+ bytes";

pub struct ServerProcess {
    pub child: Child,
    pub api: Api,
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl ServerProcess {
    /// Starts `tinnhiem serve` on a free port; `db_url` is a SQLite path or PostgreSQL URL.
    pub fn start(db_url: &str, dir: &std::path::Path) -> ServerProcess {
        let port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_tinnhiem"))
            .args([
                "serve",
                "--bind",
                &format!("127.0.0.1:{port}"),
                "--database",
                db_url,
                "--workers",
                "2",
            ])
            .env("TINNHIEM_TOKEN_SECRET", SECRET)
            .env("TINNHIEM_ADMIN_USERNAME", ADMIN)
            .env("TINNHIEM_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("TINNHIEM_HASH_THREADS", "2")
            .env("RUST_LOG", "warn")
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("server process starts");
        ServerProcess {
            child,
            api: Api::new(format!("http://127.0.0.1:{port}/api/v1")),
        }
    }

    pub async fn wait_healthy(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(resp) = self.api.client.get(self.api.url("/healthz")).send().await {
                if resp.status() == StatusCode::OK {
                    return;
                }
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("server process exited at start: {status}");
            }
            assert!(Instant::now() < deadline, "server not healthy within 60 s");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Sends every cast `(path, token, body)` at once, and `signal` (`-KILL`, `-TERM`, …) to
    /// the process once `after` of them have been answered 201, while the rest are in flight.
    /// Whether each cast was answered 201.
    pub async fn cast_and_signal(
        &self,
        casts: &[(String, String, serde_json::Value)],
        signal: &str,
        after: usize,
    ) -> Vec<bool> {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let answered = AtomicUsize::new(0);
        let api = &self.api;
        let sends = casts.iter().map(|(path, token, body)| {
            let answered = &answered;
            async move {
                let resp = api
                    .client
                    .post(api.url(path))
                    .bearer_auth(token)
                    .json(body)
                    .send()
                    .await;
                let ok = matches!(&resp, Ok(r) if r.status() == StatusCode::CREATED);
                if ok {
                    answered.fetch_add(1, Ordering::SeqCst);
                }
                ok
            }
        });
        let pid = self.child.id();
        let signaller = async {
            while answered.load(Ordering::SeqCst) < after {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            let _ = Command::new("kill")
                .args([signal, &pid.to_string()])
                .status();
        };
        let (results, ()) = tokio::join!(futures::future::join_all(sends), signaller);
        results
    }
}
