//! The server under load: `tinnhiem serve` started as a process of its own on a free loopback
//! port, and what /proc says of its CPU time and memory (and of the load generator's CPU time).

use std::path::Path;
use std::process::{Child, Command, Stdio};

/// The password of the admin the server creates at its first start.
pub const ADMIN_PASSWORD: &str = "bench-admin-password";

/// `tinnhiem serve` as a child process; killed when dropped.
pub struct Server {
    child: Child,
    /// The API's base URL, `http://127.0.0.1:PORT/api/v1`.
    pub base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Starts `binary serve` on a free loopback port and `database`, with its admin and its
    /// token key (in `dir`) set for the run; it may take a moment to answer.
    pub fn start(binary: &Path, database: &str, dir: &Path) -> Result<Server, String> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| e.to_string())?
            .port();
        let child = Command::new(binary)
            .args([
                "serve",
                "--bind",
                &format!("127.0.0.1:{port}"),
                "--database",
                database,
            ])
            .env("TINNHIEM_ADMIN_USERNAME", "admin")
            .env("TINNHIEM_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("TINNHIEM_TOKEN_KEY_FILE", dir.join("bench-token.key"))
            .env("TINNHIEM_SIGNING_KEY_FILE", dir.join("bench-signing.key"))
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        Ok(Server {
            child,
            base: format!("http://127.0.0.1:{port}/api/v1"),
        })
    }

    /// CPU seconds (user and system) the server process has used so far, from /proc.
    pub fn cpu_secs(&self) -> Option<f64> {
        cpu_secs_of(&format!("/proc/{}/stat", self.child.id()))
    }

    /// A memory figure of the server process from /proc (e.g. `VmHWM`, the peak), in MiB.
    fn memory_mb(&self, field: &str) -> Option<f64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let line = status.lines().find(|l| l.starts_with(field))?;
        let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kib / 1024.0)
    }

    pub fn peak_rss_mb(&self) -> Option<f64> {
        self.memory_mb("VmHWM:")
    }

    /// "rss N MiB (peak M)", for the report's lines.
    pub fn memory(&self) -> String {
        format!(
            "server rss {:.1} MiB, peak {:.1}",
            self.memory_mb("VmRSS:").unwrap_or(0.0),
            self.peak_rss_mb().unwrap_or(0.0)
        )
    }
}

/// utime + stime of a /proc/…/stat file, in seconds (fields 14 and 15, counted after the
/// command name, which may hold spaces but ends at the last ')').
pub fn cpu_secs_of(stat_path: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(stat_path).ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    // SAFETY: sysconf only reads a system constant.
    let per_sec = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    (per_sec > 0.0).then(|| ticks / per_sec)
}
