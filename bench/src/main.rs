//! `tinnhiem-bench`: plays a whole vote over HTTP against a fresh `tinnhiem serve` of its own and
//! reports throughput and latency, then one JSON line (docs/performance.md).

mod client;
mod committee;
mod database;
mod play;
mod server;

use clap::Parser;
use std::path::PathBuf;
use std::process::ExitCode;

use play::BenchOptions;

#[derive(Parser)]
#[command(
    name = "tinnhiem-bench",
    version,
    about = "Play a whole vote over HTTP against a fresh server and report throughput and latency"
)]
struct BenchArgs {
    /// Database for the run: a SQLite file path, or `postgres://server/db` (a fresh database
    /// is created on that server and dropped after) [default: a SQLite file in a temp dir].
    #[arg(long)]
    database: Option<String>,
    #[arg(long, default_value_t = 500)]
    delegates: usize,
    #[arg(long, default_value_t = 44)]
    subjects: usize,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// Votes open at once; every delegate casts in each.
    #[arg(long, default_value_t = 1)]
    votes: usize,
    /// Sign-ins fired while the ballots are being cast.
    #[arg(long, default_value_t = 0)]
    login_burst: usize,
    /// Bulk-generate this many ballots into a second vote and time its close.
    #[arg(long, default_value_t = 0)]
    scale: usize,
    /// Seconds the engine's own insert loop runs.
    #[arg(long, default_value_t = 3.0)]
    engine_secs: f64,
    /// `server` (the server counts the marks) or `committee` (ballots encrypted under a
    /// counting committee of 5 with threshold 3, which decrypts the totals).
    #[arg(long, default_value = "server", value_parser = ["server", "committee"])]
    secrecy: String,
    /// Write a committee vote's signed record to this file.
    #[arg(long)]
    record_out: Option<PathBuf>,
    /// The `tinnhiem` binary to run as the server [default: `tinnhiem` beside this program,
    /// as `cargo build` leaves them].
    #[arg(long)]
    server: Option<PathBuf>,
}

fn main() -> ExitCode {
    let args = BenchArgs::parse();
    let result = server_binary(args.server).and_then(|server_binary| {
        play::run(BenchOptions {
            database: args.database,
            delegates: args.delegates,
            subjects: args.subjects,
            concurrency: args.concurrency.max(1),
            votes: args.votes.max(1),
            login_burst: args.login_burst,
            scale: args.scale,
            engine_secs: args.engine_secs,
            server_binary,
            committee: args.secrecy == "committee",
            record_out: args.record_out,
        })
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("tinnhiem-bench: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The server binary: as given, or `tinnhiem` in this program's directory; it must exist.
fn server_binary(given: Option<PathBuf>) -> Result<PathBuf, String> {
    let path = match given {
        Some(path) => path,
        None => std::env::current_exe()
            .map_err(|e| format!("cannot find this program: {e}"))?
            .with_file_name(format!("tinnhiem{}", std::env::consts::EXE_SUFFIX)),
    };
    if !path.is_file() {
        return Err(format!(
            "no tinnhiem server binary at {}: build it (`cargo build --release` at the \
             repository's root builds it beside this program) or name it with --server",
            path.display()
        ));
    }
    Ok(path)
}
