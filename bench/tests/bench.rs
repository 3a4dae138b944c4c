//! `tinnhiem-bench` plays a whole (small) vote against the real `tinnhiem` binary and ends with
//! the JSON line docs/performance.md and the figures in it rely on; on PostgreSQL when the suite
//! runs there.

#[path = "../../tests/common/postgres.rs"]
mod postgres;

use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

/// The `tinnhiem` server binary beside `tinnhiem-bench`. `cargo test` at the workspace's root
/// builds it there for the tinnhiem package's own tests; `cargo test -p tinnhiem-bench` alone
/// does not, and uses whatever an earlier build left there.
fn server_binary() -> PathBuf {
    let bench = PathBuf::from(env!("CARGO_BIN_EXE_tinnhiem-bench"));
    let server = bench.with_file_name(format!("tinnhiem{}", std::env::consts::EXE_SUFFIX));
    assert!(
        server.is_file(),
        "no tinnhiem server binary at {}: run `cargo test` at the workspace's root, or \
         `cargo build -p tinnhiem` before `cargo test -p tinnhiem-bench`",
        server.display()
    );
    server
}

#[test]
fn a_small_bench_run_ends_with_its_figures_as_one_json_line() {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tinnhiem-bench"));
    command.arg("--server").arg(server_binary());
    command.args([
        "--delegates",
        "6",
        "--subjects",
        "3",
        "--concurrency",
        "4",
        "--votes",
        "2",
        "--scale",
        "20",
        "--engine-secs",
        "0.2",
    ]);
    if let Some(url) = postgres::postgres_url() {
        command.args(["--database", &url]);
    }
    let output = command.output().expect("bench runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("20 bulk-generated ballots closed and tallied"),
        "{stdout}"
    );
    let last: Value = serde_json::from_str(stdout.lines().last().unwrap_or_default())
        .unwrap_or_else(|e| panic!("last line is not JSON ({e}): {stdout}"));
    for key in [
        "ballots_per_s",
        "engine_inserts_per_s",
        "ratio",
        "cast_p50_ms",
        "cast_p99_ms",
        "close_ms",
        "peak_rss_mb",
        "logins_per_s",
    ] {
        let figure = last[key].as_f64().unwrap_or(-1.0);
        assert!(figure > 0.0, "{key} = {} in {last}", last[key]);
    }
}
