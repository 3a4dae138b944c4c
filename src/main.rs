//! The `tinnhiem` command: `serve`, `create-admin`, `verify`, `check-ballot` and the tools of
//! committee votes.

use clap::{Args, Parser, Subcommand};
use std::io::{BufRead, IsTerminal};
use std::net::{IpAddr, TcpListener};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use tinnhiem::auth::{password, LoginLimits};
use tinnhiem::config::TlsFiles;
use tinnhiem::record::{self, key::SeedText};
use tinnhiem::service::accounts;
use tinnhiem::{db, AppState, Config, DatabaseUrl};

#[derive(Parser)]
#[command(name = "tinnhiem", version, about = "Confidence votes in councils")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP service (migrations run at start).
    Serve(Box<ServeArgs>),
    /// Create an admin; the password is read from standard input.
    CreateAdmin {
        #[arg(long)]
        username: String,
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// Check a downloaded vote record offline: its signature, a recount of every subject from
    /// its ballots, percentages and outcomes by the rules, and its event chain. Exits 0 when
    /// everything holds, 1 when anything differs (each difference is named), 2 when the file or
    /// key cannot be read.
    Verify {
        /// The record as downloaded from GET /api/v1/votes/{id}/record.
        record: std::path::PathBuf,
        /// The installation's public key (GET /api/v1/public-key): base64, or a file holding
        /// it (base64, that endpoint's JSON, the JSON of GET /api/v1/public-keys, or a history
        /// of signing keys); the record must name one of the keys given. Without it the
        /// signature is checked against the key the record names, which proves integrity but
        /// not origin.
        #[arg(long)]
        public_key: Option<String>,
    },
    /// Check a ballot that a tablet opened instead of casting it (Kiểm tra phiếu): its proofs,
    /// its tracking code, and that each cell encrypts the mark listed with its r. Prints what
    /// the ballot holds, row by row, in Vietnamese and English. Exits 0 when it matches, 1 when
    /// it does not or the file is not an opened ballot, 2 when the file cannot be read.
    CheckBallot {
        /// The opened ballot's JSON, as the tablet shows it or saves it (docs/verifiable.md
        /// §5.7).
        file: PathBuf,
    },
    /// A counting committee member's tool: it talks to the server over HTTP(S) and keeps the
    /// member's share on this machine only.
    #[command(subcommand)]
    Committee(CommitteeCommand),
    /// Cast your ballot in a committee vote from a terminal: it is encrypted here, under the
    /// committee's key, before it is sent; the server never sees your marks. Reads your
    /// password from standard input; prints the ballot's tracking code.
    Cast {
        #[command(flatten)]
        member: MemberArgs,
        /// The open committee vote's id.
        #[arg(long)]
        vote: String,
        /// A row's mark, as ROW=CHOICE with the row's number on the ballot (1, 2, …) and the
        /// choice's name (high, medium, low; confidence, no_confidence); repeat it for each
        /// row you mark. A row left out is blank.
        #[arg(long = "mark")]
        marks: Vec<String>,
        /// The ceremony fingerprint the counting committee read out (e.g. "3f2a 9c01 77be
        /// 04d5"): the ballot is not cast unless the committee this machine checked has it.
        #[arg(long)]
        fingerprint: Option<String>,
    },
}

#[derive(Subcommand)]
enum CommitteeCommand {
    /// Take part in the committee's key ceremony, from joining to the joint key, waiting for
    /// the other members between steps (run it again to resume). Reads your password, then a
    /// passphrase for the share file, one line each from standard input.
    Ceremony {
        #[command(flatten)]
        member: MemberArgs,
        /// The committee's id (the vote's `committee.id`).
        #[arg(long)]
        committee: String,
        /// Where to keep your share, sealed with the passphrase; keep a copy safe.
        #[arg(long)]
        share_file: PathBuf,
    },
    /// After the close: check every ballot of the vote, recompute each cell's sum, and send
    /// your partial decryption of the sums (never of one ballot). Reads your password, then the
    /// share file's passphrase, one line each from standard input.
    Decrypt {
        #[command(flatten)]
        member: MemberArgs,
        /// The closed vote's id.
        #[arg(long)]
        vote: String,
        /// Your share file from the ceremony.
        #[arg(long)]
        share_file: PathBuf,
    },
}

#[derive(Args)]
struct MemberArgs {
    /// The server, e.g. https://hall.example (or with /api/v1).
    #[arg(long, env = "TINNHIEM_SERVER")]
    server: String,
    /// Your username.
    #[arg(long)]
    username: String,
}

#[derive(Args)]
struct DatabaseArg {
    /// `postgres://…` for PostgreSQL; otherwise a SQLite file (created when missing).
    #[arg(long = "database", env = "DATABASE_URL", default_value = "tinnhiem.db")]
    url: String,
}

#[derive(Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "TINNHIEM_BIND", default_value = "127.0.0.1:8080")]
    bind: String,
    #[command(flatten)]
    database: DatabaseArg,
    /// Where the token signing secret is kept, generated at first start [default: beside
    /// the SQLite file, or ./tinnhiem-token.key for PostgreSQL]. TINNHIEM_TOKEN_SECRET (the
    /// environment only; at least 32 bytes) overrides it: every replica must share one.
    #[arg(long, env = "TINNHIEM_TOKEN_KEY_FILE")]
    token_key_file: Option<std::path::PathBuf>,
    /// Where the Ed25519 key that signs vote records is kept, generated at first start
    /// [default: beside the SQLite file, or ./tinnhiem-signing.key for PostgreSQL].
    /// TINNHIEM_SIGNING_KEY (the environment only; base64 of a 32-byte seed) overrides it:
    /// every replica must share one. Back it up: records are checked against its public key.
    #[arg(long, env = "TINNHIEM_SIGNING_KEY_FILE")]
    signing_key_file: Option<std::path::PathBuf>,
    /// The public keys that have signed this installation's records, one a line; a record
    /// signed by an earlier key is still served when its key is here. The service adds its
    /// key at start [default: tinnhiem-signing-keys.txt beside the signing key file]. Keep it
    /// with the key and its backups.
    #[arg(long, env = "TINNHIEM_SIGNING_KEY_HISTORY")]
    signing_key_history: Option<std::path::PathBuf>,
    /// Lifetime of an access token, in seconds (default: one working day).
    #[arg(long, env = "TINNHIEM_TOKEN_LIFETIME_SECS", default_value_t = 8 * 3600)]
    token_lifetime_secs: u64,
    /// Database connections in the pool.
    #[arg(long, env = "TINNHIEM_POOL_SIZE", default_value_t = 16)]
    pool_size: u32,
    /// Seconds a request waits for a database connection before answering 503.
    #[arg(long, env = "TINNHIEM_POOL_TIMEOUT_SECS", default_value_t = 5)]
    pool_timeout_secs: u64,
    /// Threads hashing passwords [default: one less than the cores, at least one].
    #[arg(long, env = "TINNHIEM_HASH_THREADS")]
    hash_threads: Option<usize>,
    /// HTTP worker threads [default: one per core].
    #[arg(long, env = "TINNHIEM_WORKERS")]
    workers: Option<usize>,
    /// Username of the first admin, created at start when there is no admin yet; its
    /// password comes from TINNHIEM_ADMIN_PASSWORD (the environment only: never a flag, which
    /// any user of the machine could read in the process list).
    #[arg(long, env = "TINNHIEM_ADMIN_USERNAME")]
    admin_username: Option<String>,
    /// Serve HTTPS with this PEM certificate chain (leaf first), for halls with no reverse
    /// proxy; needs --tls-key.
    #[arg(long, env = "TINNHIEM_TLS_CERT", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, env = "TINNHIEM_TLS_KEY", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// An origin (https://host[:port]) whose web pages may call the API; repeat for more.
    /// None by default: browsers may not call the API from other origins.
    #[arg(
        long = "cors-origin",
        env = "TINNHIEM_CORS_ORIGINS",
        value_delimiter = ','
    )]
    cors_origins: Vec<String>,
    /// A reverse proxy whose X-Forwarded-For names the client (for sign-in limits per
    /// address); repeat for more. Without one, the connecting address is the client.
    #[arg(
        long = "trusted-proxy",
        env = "TINNHIEM_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    trusted_proxies: Vec<IpAddr>,
    /// Failed sign-ins allowed per username within the window (0: no limit).
    #[arg(long, env = "TINNHIEM_LOGIN_FAILURES_PER_USERNAME", default_value_t = LoginLimits::default().per_username)]
    login_failures_per_username: u32,
    /// Failed sign-ins allowed per client address within the window (0: no limit).
    /// Successful sign-ins never count, so a hall behind one address is not locked out.
    #[arg(long, env = "TINNHIEM_LOGIN_FAILURES_PER_ADDRESS", default_value_t = LoginLimits::default().per_address)]
    login_failures_per_address: u32,
    /// The sliding window of the sign-in limits, in seconds.
    #[arg(long, env = "TINNHIEM_LOGIN_WINDOW_SECS", default_value_t = LoginLimits::default().window.as_secs())]
    login_window_secs: u64,
}

fn main() -> ExitCode {
    limit_allocator_memory();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => serve(*args),
        Command::CreateAdmin { username, database } => create_admin(&username, &database.url),
        Command::Verify { record, public_key } => return verify(&record, public_key.as_deref()),
        Command::CheckBallot { file } => return check_ballot(&file),
        Command::Committee(CommitteeCommand::Ceremony {
            member,
            committee,
            share_file,
        }) => committee_ceremony(&member, &committee, &share_file),
        Command::Cast {
            member,
            vote,
            marks,
            fingerprint,
        } => cast_encrypted(&member, &vote, &marks, fingerprint.as_deref()),
        Command::Committee(CommitteeCommand::Decrypt {
            member,
            vote,
            share_file,
        }) => committee_decrypt(&member, &vote, &share_file),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("tinnhiem: {message}");
            ExitCode::FAILURE
        }
    }
}

/// glibc keeps freed memory per thread arena, and raises its mmap threshold after large frees,
/// so every 19 MiB argon2 block would stay resident for good. Large blocks are mapped and
/// returned on free instead, and threads share a few arenas.
fn limit_allocator_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets allocator parameters; called before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1024 * 1024);
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

fn serve(args: ServeArgs) -> Result<(), String> {
    let mut config = Config::for_database(DatabaseUrl::parse(&args.database.url));
    config.token_secret = std::env::var("TINNHIEM_TOKEN_SECRET").ok();
    if let Some(file) = args.token_key_file {
        config.token_key_file = file;
    }
    config.signing_key = SeedText(std::env::var("TINNHIEM_SIGNING_KEY").ok());
    if let Some(file) = args.signing_key_file {
        config.signing_key_file = file;
    }
    config.signing_key_history = args.signing_key_history;
    config.token_lifetime = Duration::from_secs(args.token_lifetime_secs);
    config.pool_size = args.pool_size;
    config.pool_timeout = Duration::from_secs(args.pool_timeout_secs);
    if let Some(n) = args.hash_threads {
        config.hash_concurrency = n;
    }
    config.tls = match (args.tls_cert, args.tls_key) {
        (Some(cert), Some(key)) => Some(TlsFiles { cert, key }),
        _ => None,
    };
    config.cors_origins = args.cors_origins;
    config.trusted_proxies = args.trusted_proxies;
    config.login_limits = LoginLimits {
        per_username: args.login_failures_per_username,
        per_address: args.login_failures_per_address,
        window: Duration::from_secs(args.login_window_secs.max(1)),
    };
    let admin_password = std::env::var("TINNHIEM_ADMIN_PASSWORD").ok();
    config.bootstrap_admin = match (args.admin_username, admin_password) {
        (Some(u), Some(p)) => Some((u, p)),
        (None, None) => None,
        _ => {
            return Err(
                "set both TINNHIEM_ADMIN_USERNAME and TINNHIEM_ADMIN_PASSWORD, or neither".into(),
            )
        }
    };
    let workers = args.workers.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
    });
    let config_is_tls = config.tls.is_some();
    let state = AppState::start(config).map_err(|e| e.to_string())?;
    let listener = TcpListener::bind(&args.bind)
        .map_err(|e| format!("cannot listen on {}: {e}", args.bind))?;
    let address = listener
        .local_addr()
        .map_err(|e| format!("cannot read the bound address: {e}"))?;
    let scheme = if config_is_tls { "https" } else { "http" };
    let writer = state.casting.writer_stopped();
    tracing::info!(%address, scheme, "tinnhiem is listening; the API is under /api/v1");
    actix_web::rt::System::new().block_on(async move {
        let server = tinnhiem::server(state, listener, workers)
            .map_err(|e| format!("cannot start the server: {e}"))?;
        let handle = server.handle();
        actix_web::rt::spawn(async move {
            let signal = stop_requested().await;
            tracing::info!(
                signal,
                "stopping: no new requests; answering those in flight, casts included"
            );
            handle.stop(true).await;
        });
        server.await.map_err(|e| format!("server stopped: {e}"))
    })?;
    // Every request has been answered and every handle of the state dropped; the writer
    // commits what is left in its queue, then lets go of its connections. Only then does
    // the process exit, so no connection is torn down by the exit handlers.
    if writer.wait(SHUTDOWN_WAIT) {
        tracing::info!("stopped");
        Ok(())
    } else {
        Err(format!(
            "the ballot writer did not stop within {} s",
            SHUTDOWN_WAIT.as_secs()
        ))
    }
}

/// How long a stopping server waits for its ballot writer after the last answer.
const SHUTDOWN_WAIT: Duration = Duration::from_secs(30);

/// Resolves with the signal's name at SIGTERM (a service manager) or SIGINT (Ctrl-C): both stop
/// the server gracefully.
async fn stop_requested() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => tokio::select! {
                _ = term.recv() => "SIGTERM",
                _ = tokio::signal::ctrl_c() => "SIGINT",
            },
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                "SIGINT"
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        "SIGINT"
    }
}

/// One line from standard input, prompted on the terminal when there is one.
fn read_secret_line(prompt: &str) -> Result<String, String> {
    if std::io::stdin().is_terminal() {
        eprintln!("{prompt}");
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read standard input: {e}"))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

fn committee_ceremony(
    member: &MemberArgs,
    committee: &str,
    share_file: &std::path::Path,
) -> Result<(), String> {
    use tinnhiem::committee_tool::{self, Outcome, Session};
    let password = read_secret_line(&format!("Password for {}:", member.username))?;
    let passphrase = read_secret_line("Passphrase for the share file (8 characters or more):")?;
    let session =
        Session::sign_in(&member.server, &member.username, &password).map_err(|e| e.to_string())?;
    let outcome = committee_tool::ceremony(
        &session,
        committee,
        share_file,
        &passphrase,
        Duration::from_secs(2),
        |step| eprintln!("{step}"),
    )
    .map_err(|e| e.to_string())?;
    match outcome {
        Outcome::Ready { joint_key } => {
            eprintln!(
                "The committee's key is made: {joint_key}. Keep {} and its passphrase: the \
                 count needs them.",
                share_file.display()
            );
            Ok(())
        }
        Outcome::Failed { why } => Err(format!("the ceremony failed: {why}")),
    }
}

fn cast_encrypted(
    member: &MemberArgs,
    vote: &str,
    marks: &[String],
    fingerprint: Option<&str>,
) -> Result<(), String> {
    let password = read_secret_line(&format!("Password for {}:", member.username))?;
    let session =
        tinnhiem::committee_tool::Session::sign_in(&member.server, &member.username, &password)
            .map_err(|e| e.to_string())?;
    let path = format!("/votes/{vote}/ballot");
    let ballot: serde_json::Value = session.get(&path).map_err(|e| e.to_string())?;
    let subjects = ballot["subjects"].as_array().cloned().unwrap_or_default();
    let mut chosen = std::collections::BTreeMap::new();
    for mark in marks {
        let (row, choice) = mark
            .split_once('=')
            .ok_or_else(|| format!("--mark {mark}: write ROW=CHOICE, e.g. 1=high"))?;
        let subject = row
            .trim()
            .parse::<usize>()
            .ok()
            .and_then(|r| subjects.get(r.checked_sub(1)?))
            .and_then(|s| s["id"].as_str())
            .ok_or_else(|| format!("--mark {mark}: the ballot has rows 1 to {}", subjects.len()))?;
        chosen.insert(subject.to_owned(), choice.trim().to_owned());
    }
    let vote_shown: serde_json::Value = session
        .get(&format!("/votes/{vote}"))
        .map_err(|e| e.to_string())?;
    let committee_id = vote_shown["committee"]["id"]
        .as_str()
        .ok_or("this is not a committee vote: its ballots are not encrypted")?;
    let committee: tinnhiem::shapes::Committee = session
        .get(&format!("/committees/{committee_id}"))
        .map_err(|e| e.to_string())?;
    let checked = tinnhiem::voter_tool::check_encryption(&vote_shown, &ballot, &committee)
        .map_err(|e| format!("not cast: {e}"))?;
    let spaced = |f: &str| f.split_whitespace().collect::<String>().to_lowercase();
    match fingerprint {
        Some(expected) if spaced(expected) != spaced(&checked) => {
            return Err(format!(
                "not cast: the committee this machine was shown has the fingerprint {checked}, \
                 not {expected}. Tell the chair."
            ))
        }
        Some(_) => eprintln!("Ceremony fingerprint {checked}: the one the committee read out."),
        None => eprintln!(
            "Ceremony fingerprint {checked}: check it is the one the counting committee read out."
        ),
    }
    let encrypted = tinnhiem::voter_tool::encrypt(&ballot, &chosen)?;
    let _: serde_json::Value = session
        .post(&path, &serde_json::json!({ "encrypted": encrypted.cast }))
        .map_err(|e| e.to_string())?;
    println!("{}", encrypted.tracking_code);
    eprintln!("Cast. Find this tracking code in the vote's record once it is published.");
    Ok(())
}

fn committee_decrypt(
    member: &MemberArgs,
    vote: &str,
    share_file: &std::path::Path,
) -> Result<(), String> {
    let password = read_secret_line(&format!("Password for {}:", member.username))?;
    let passphrase = read_secret_line("Passphrase of the share file:")?;
    let session =
        tinnhiem::committee_tool::Session::sign_in(&member.server, &member.username, &password)
            .map_err(|e| e.to_string())?;
    let progress =
        tinnhiem::committee_tool::decrypt(&session, vote, share_file, &passphrase, |step| {
            eprintln!("{step}")
        })
        .map_err(|e| e.to_string())?;
    eprintln!(
        "Sent. {} of the {} members needed have decrypted{}.",
        progress.decrypted,
        progress.threshold,
        if progress.published {
            "; the tally is published"
        } else {
            ""
        }
    );
    Ok(())
}

fn create_admin(username: &str, database: &str) -> Result<(), String> {
    eprintln!("Password for {username} (one line on standard input):");
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the password: {e}"))?;
    let password = accounts::password(line.trim_end_matches(['\r', '\n'])).map_err(|e| e.detail)?;
    let pool = db::open_pool(&DatabaseUrl::parse(database), 1, Duration::from_secs(10))
        .map_err(|e| e.to_string())?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    let hash = password::hash_blocking(&password)?;
    accounts::create_admin(&mut conn, username, hash).map_err(|e| e.detail)?;
    eprintln!("Admin {username} created.");
    Ok(())
}

/// `tinnhiem verify`: 0 valid, 1 invalid, 2 unreadable input.
fn verify(path: &std::path::Path, public_key: Option<&str>) -> ExitCode {
    let unreadable = |message: String| {
        eprintln!("tinnhiem verify: {message}");
        ExitCode::from(2)
    };
    let trusted = match public_key.map(read_public_keys).transpose() {
        Ok(key) => key,
        Err(message) => return unreadable(message),
    };
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => return unreadable(format!("cannot read {}: {e}", path.display())),
    };
    let verdict = record::verify(&bytes, trusted.as_deref());
    println!("{}", path.display());
    print!("{}", verdict.report());
    if verdict.valid() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// `tinnhiem check-ballot`: 0 it matches, 1 it does not, 2 unreadable file.
fn check_ballot(path: &std::path::Path) -> ExitCode {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("tinnhiem check-ballot: cannot read {}: {e}", path.display());
            return ExitCode::from(2);
        }
    };
    println!("{}", path.display());
    match tinnhiem::check_ballot::check(&bytes) {
        Ok(check) => {
            print!("{}", check.report());
            if check.holds() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(why) => {
            println!("KẾT QUẢ: KHÔNG ĐỌC ĐƯỢC phiếu đã mở · RESULT: NOT AN OPENED BALLOT: {why}");
            ExitCode::FAILURE
        }
    }
}

/// The keys given as base64, or as a file holding base64, the JSON of GET /public-key or of
/// GET /public-keys, or a history of signing keys.
fn read_public_keys(arg: &str) -> Result<Vec<ed25519_dalek::VerifyingKey>, String> {
    let path = std::path::Path::new(arg);
    let text = if path.is_file() {
        std::fs::read_to_string(path).map_err(|e| format!("cannot read {arg}: {e}"))?
    } else {
        arg.to_owned()
    };
    record::key::parse_trusted_keys(&text).map_err(|e| format!("--public-key: {e}"))
}
