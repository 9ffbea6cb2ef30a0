//! The `quorum` binary: parse the configuration, connect, migrate, serve. The only place that
//! exits the process.

use std::process::ExitCode;

use api::{
    AppState,
    accounts::{self, input::Email},
    audit::{self, Actor},
    auth::Role,
    config::Config,
    db, demo, telemetry,
};
use clap::{Parser, Subcommand};
use poem::{Server, listener::TcpListener};

/// mimalloc rather than the system allocator: glibc's malloc raises its mmap threshold after
/// the first large block is freed, so every later Argon2 hash (19 MiB) came from the heap and
/// stayed there: a replica that had answered 20 log-ins kept some 190 MB it no longer used.
/// mimalloc gives large blocks back to the system once freed.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Quorum: the GraphQL backend of a community-owned open-source foundation.
#[derive(Parser)]
#[command(
    version,
    about,
    after_help = CONFIGURATION_HINT,
    after_long_help = api::config::help()
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

/// Where `-h` points for the settings, which `--help` lists.
const CONFIGURATION_HINT: &str =
    "Configuration: environment variables, listed with their defaults by `--help`.";

#[derive(Subcommand)]
enum Command {
    /// Apply the migrations, then serve the API (the default).
    #[command(after_help = CONFIGURATION_HINT, after_long_help = api::config::help())]
    Serve,
    /// Apply the migrations and exit.
    Migrate,
    /// Print the GraphQL schema (SDL), as committed in schema.graphql.
    Schema,
    /// Load a realistic sample foundation (for frontend development); a second run does nothing.
    DemoData,
    /// Fill an empty database for the bench (`bench/run`): the demo foundation, then sponsors,
    /// members and amendments in bulk; times the catch-up and a members' vote on the whole
    /// roll, and prints a JSON report.
    BenchData {
        /// Organizations sponsoring now.
        #[arg(long, default_value_t = 10_000)]
        sponsors: usize,
        /// Contributors in good standing (the directory, and the vote's roll).
        #[arg(long, default_value_t = 100_000)]
        members: usize,
        /// Proposed amendments.
        #[arg(long, default_value_t = 50)]
        amendments: usize,
    },
    /// Trusted documents: the operations a frontend's build registers, which requests then name
    /// by hash (see `QUORUM_TRUSTED_DOCUMENTS`).
    Documents {
        #[command(subcommand)]
        command: DocumentsCommand,
    },
    /// Administration against the configured database, without a running server.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// A witness of Merkle tree logs (C2SP tlog-witness), as a Mirror member runs one for the
    /// foundation's governance log (docs/log.md, "Witnesses"). Needs no database and reads no
    /// other setting.
    Witness {
        #[command(subcommand)]
        command: WitnessCommand,
    },
}

#[derive(Subcommand)]
enum WitnessCommand {
    /// Make a witness key: writes the private key to FILE (mode 0600, never overwritten) and
    /// prints the verifier key to give to the log's operator and to members.
    Keygen {
        /// The witness's name, a schema-less URL such as `mirror.example.org/witness`.
        #[arg(long)]
        name: String,
        /// Where to write the private key.
        #[arg(long)]
        key: std::path::PathBuf,
    },
    /// Serve `POST /add-checkpoint` (and `GET /<origin hash>/checkpoint`) for the logs given.
    Serve {
        /// The private key, as `keygen` writes it (Go's `PRIVATE+KEY+…` note signer format).
        #[arg(long)]
        key: std::path::PathBuf,
        /// A log to witness: its origin and its note verifier key (repeatable).
        #[arg(long, num_args = 2, value_names = ["ORIGIN", "VERIFIER_KEY"], required = true)]
        log: Vec<String>,
        /// The address to listen on (`--listen` is read too); port 0 picks a free one (printed at
        /// start).
        #[arg(
            long = "addr",
            visible_alias = "listen",
            default_value = "127.0.0.1:8090"
        )]
        listen: String,
        /// Where the last checkpoint cosigned per log is kept (written atomically).
        #[arg(long, default_value = "witness-state.json")]
        state: std::path::PathBuf,
    },
}

#[derive(Subcommand)]
enum DocumentsCommand {
    /// Register a manifest for a client: `persisted-documents.json` as
    /// `@graphql-codegen/client-preset` writes it with `persistedDocuments: true`,
    /// `{ "<sha256 hex>": "<document>" }`. Each hash is checked; documents registered already
    /// stay as they were. Audited as `SYSTEM`.
    Push {
        /// The client's name, such as `public-site`, `portal` or `console`.
        #[arg(long)]
        client: String,
        /// The manifest file.
        file: std::path::PathBuf,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Grant a role to the account with this email (bootstraps the first ADMIN). Audited.
    GrantRole {
        /// The account's email.
        #[arg(long)]
        email: String,
        /// ADMIN, MEMBERSHIP_COMMITTEE, TECHNOLOGY_COMMITTEE, TREASURER, SECRETARY or
        /// ELECTION_COMMITTEE (BOARD follows the directorships in office and is never granted).
        #[arg(long)]
        role: String,
    },
    /// Re-check the audit log in the database: the hash chain of the entries written before
    /// the Merkle tree log, then every sealed entry against its leaf and the latest checkpoint's
    /// root; exits non-zero at the first broken entry. With a hash-chain checkpoint kept from
    /// before the tree log, also prove that nothing up to it was removed or changed.
    VerifyAudit {
        /// A hash-chain checkpoint kept earlier: the JSON of the old `auditCheckpoint` or
        /// `audit-checkpoint`.
        #[arg(long)]
        checkpoint: Option<std::path::PathBuf>,
    },
    /// Check a running server's audit log from outside, as any member can: fetch its latest
    /// checkpoint, check its signature (and witnesses' cosignatures), prove it extends the one
    /// kept in FILE, and keep the new one there. Exits non-zero on any failure. Needs no
    /// database.
    VerifyLog {
        /// The server, such as `https://quorum.example.org`.
        #[arg(long)]
        url: String,
        /// The checkpoint kept from the last run (created on the first).
        #[arg(long)]
        checkpoint: std::path::PathBuf,
        /// The log's note verifier key (as in docs/log.md); by default the server's `/log/key`,
        /// which must then also have signed the kept checkpoint.
        #[arg(long)]
        key: Option<String>,
        /// A witness's verifier key, whose cosignature the checkpoint must carry (repeatable).
        #[arg(long)]
        witness: Vec<String>,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Command::Schema) = cli.command {
        print!("{}", api::schema::sdl());
        return ExitCode::SUCCESS;
    }
    if let Some(Command::Witness { command }) = cli.command {
        return witness(command).await;
    }
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("quorum: configuration error: {err}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(config.log_json, &config.log_filter);
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Migrate => migrate(&config).await,
        Command::Schema | Command::Witness { .. } => Ok(()),
        Command::Admin { command } => admin(&config, command).await,
        Command::Documents { command } => documents(&config, command).await,
        Command::DemoData => demo_data(&config).await,
        Command::BenchData {
            sponsors,
            members,
            amendments,
        } => {
            let sizes = api::bench_data::Sizes {
                sponsors,
                members,
                amendments,
            };
            bench_data(&config, sizes).await
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(error = %err, "quorum stopped on an error");
            ExitCode::FAILURE
        }
    }
}

type Failure = Box<dyn std::error::Error + Send + Sync>;

/// `quorum witness …`: the only commands that read no configuration.
async fn witness(command: WitnessCommand) -> ExitCode {
    let filter = std::env::var("RUST_LOG").unwrap_or_else(|_| "info".to_owned());
    let json = std::env::var("QUORUM_LOG_FORMAT").is_ok_and(|format| format == "json");
    telemetry::init(json, &filter);
    let result: Result<(), Failure> = match command {
        WitnessCommand::Keygen { name, key } => witness_keygen(&name, &key),
        WitnessCommand::Serve {
            key,
            log,
            listen,
            state,
        } => witness_serve(&key, &log, &listen, state).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("quorum witness: {err}");
            ExitCode::FAILURE
        }
    }
}

fn witness_keygen(name: &str, path: &std::path::Path) -> Result<(), Failure> {
    use std::io::Write;
    let (private, verifier) = api::log::witness::keygen(name)
        .map_err(|_| "the name must be a schema-less URL with no spaces or '+'")?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .map_err(|err| format!("cannot create {}: {err}", path.display()))?;
    writeln!(file, "{private}")?;
    println!("{verifier}");
    Ok(())
}

async fn witness_serve(
    key: &std::path::Path,
    logs: &[String],
    listen: &str,
    state: std::path::PathBuf,
) -> Result<(), Failure> {
    use poem::listener::{Acceptor, Listener};
    let logs: Vec<(String, String)> = logs
        .chunks(2)
        .map(|pair| (pair[0].clone(), pair[1].clone()))
        .collect();
    let witness = std::sync::Arc::new(api::log::witness::Witness::open(key, &logs, state)?);
    let acceptor = TcpListener::bind(listen.to_owned()).into_acceptor().await?;
    let addr = acceptor
        .local_addr()
        .first()
        .and_then(|addr| addr.as_socket_addr().copied())
        .ok_or("no address to listen on")?;
    // The first line of output: what a supervisor (or a test) reads to find the port.
    println!("listening on {addr}");
    println!("{}", witness.verifier_key());
    tracing::info!(%addr, witness = witness.name(), logs = logs.len(), "the witness is serving");
    Server::new_with_acceptor(acceptor)
        .run_with_graceful_shutdown(
            api::http::witness::app(witness),
            shutdown_signal(),
            Some(std::time::Duration::from_secs(5)),
        )
        .await?;
    Ok(())
}

async fn migrate(config: &Config) -> Result<(), Failure> {
    let db = db::open(config).await?;
    db::migrate(&db).await?;
    tracing::info!("migrations applied");
    Ok(())
}

async fn demo_data(config: &Config) -> Result<(), Failure> {
    let db = db::open(config).await?;
    db::migrate(&db).await?;
    match demo::load(&db).await? {
        demo::Outcome::Loaded {
            accounts,
            memberships,
            mirrors,
        } => println!(
            "demo data loaded: {accounts} accounts, {memberships} memberships, {mirrors} mirrors; \
             log in as {} with the password {}",
            demo::DEMO_ADMIN,
            demo::DEMO_PASSWORD
        ),
        demo::Outcome::AlreadyLoaded => println!("demo data is already loaded; nothing changed"),
    }
    db.close().await?;
    Ok(())
}

async fn bench_data(config: &Config, sizes: api::bench_data::Sizes) -> Result<(), Failure> {
    let db = db::open(config).await?;
    db::migrate(&db).await?;
    let report = api::bench_data::load(&db, sizes).await?;
    println!("{}", serde_json::to_string(&report)?);
    db.close().await?;
    Ok(())
}

async fn documents(config: &Config, command: DocumentsCommand) -> Result<(), Failure> {
    let DocumentsCommand::Push { client, file } = command;
    let client = api::documents::commands::client_name(&client, "--client")
        .map_err(|err| err.to_string())?;
    let text = std::fs::read_to_string(&file)
        .map_err(|err| format!("cannot read {}: {err}", file.display()))?;
    let documents = api::documents::commands::parse_manifest(&text, &file.display().to_string())
        .map_err(|err| err.to_string())?;
    let db = db::open(config).await?;
    db::migrate(&db).await?;
    let tx = db::begin_write(&db).await?;
    let registered =
        api::documents::commands::register(&tx, Actor::System, &client, documents).await?;
    tx.commit().await?;
    println!(
        "registered {} new documents for {client} ({} already registered)",
        registered.added, registered.unchanged
    );
    db.close().await?;
    Ok(())
}

async fn admin(config: &Config, command: AdminCommand) -> Result<(), Failure> {
    if let AdminCommand::VerifyLog {
        url,
        checkpoint,
        key,
        witness,
    } = command
    {
        let args = api::log::client::VerifyLog {
            url,
            file: checkpoint,
            key,
            witnesses: witness,
        };
        let outcome = api::log::client::verify_log(&args)
            .await
            .map_err(|err| format!("verify-log failed: {err}"))?;
        println!("{outcome}");
        return Ok(());
    }
    let db = db::open(config).await?;
    db::migrate(&db).await?;
    match command {
        AdminCommand::GrantRole { email, role } => {
            let role = Role::parse(&role).ok_or_else(|| format!("unknown role `{role}`"))?;
            let email = Email::parse(&email, "--email").map_err(|err| err.to_string())?;
            let account = accounts::db::find_by_email(&db, email.as_str())
                .await?
                .ok_or_else(|| format!("no account has the email {}", email.as_str()))?;
            let tx = db::begin_write(&db).await?;
            accounts::commands::grant_role(&tx, Actor::System, account.id, role).await?;
            tx.commit().await?;
            println!("granted {} to {}", role.as_str(), email.as_str());
        }
        AdminCommand::VerifyAudit { checkpoint: None } => {
            let check = audit::verify_chain(&db).await?;
            if let Some((seq, why)) = check.first_broken {
                return Err(format!("audit chain broken at entry {seq}: {why}").into());
            }
            let tree = api::log::store::check(&db).await?;
            if let Some((leaf, _, why)) = tree.first_broken {
                return Err(format!("audit log broken at leaf {leaf}: {why}").into());
            }
            println!(
                "audit log intact: {} chained entries, {} sealed entries",
                check.checked, tree.checked
            );
        }
        AdminCommand::VerifyAudit {
            checkpoint: Some(file),
        } => {
            let text = std::fs::read_to_string(&file)
                .map_err(|err| format!("cannot read {}: {err}", file.display()))?;
            let json: serde_json::Value = serde_json::from_str(&text)
                .map_err(|err| format!("{} is not JSON: {err}", file.display()))?;
            // Accept the checkpoint itself, or a GraphQL response holding it.
            let json = json
                .pointer("/data/auditCheckpoint")
                .cloned()
                .unwrap_or(json);
            let checkpoint: audit::checkpoint::Checkpoint = serde_json::from_value(json)
                .map_err(|err| format!("{} is not a checkpoint: {err}", file.display()))?;
            let keys = api::auth::keys::SigningKeys::load_or_create(config)?;
            match audit::checkpoint::verify(&db, &keys, &checkpoint).await? {
                Ok(checked) => println!(
                    "audit chain intact: {checked} entries, entry {} as checkpointed",
                    checkpoint.sequence
                ),
                Err(mismatch) => return Err(format!("audit check failed: {mismatch}").into()),
            }
        }
        AdminCommand::VerifyLog { .. } => {}
    }
    db.close().await?;
    Ok(())
}

async fn serve(config: Config) -> Result<(), Failure> {
    let mut db = db::open(&config).await?;
    db::count_statements(&mut db);
    db::migrate(&db).await?;
    let addr = config.addr;
    let grace = config.shutdown_grace;
    let state = AppState::new(config, db.clone())?;
    tokio::spawn(catch_up_periodically(db.clone()));
    tracing::info!(%addr, "serving GraphQL at /graphql");
    Server::new(TcpListener::bind(addr))
        .run_with_graceful_shutdown(api::app(state), shutdown_signal(), Some(grace))
        .await?;
    db.close().await?;
    tracing::info!("stopped");
    Ok(())
}

/// How often each replica catches up with the calendar.
const CATCH_UP_EVERY: std::time::Duration = std::time::Duration::from_secs(600);

/// Keeps calendar-driven records current: Sponsor memberships for sponsorships that have
/// started, and activity for those that lapsed. Every replica schedules it; on PostgreSQL an
/// advisory lock lets one at a time do the work, and the others skip that round.
async fn catch_up_periodically(db: sea_orm::DatabaseConnection) {
    let mut interval = tokio::time::interval(CATCH_UP_EVERY);
    loop {
        interval.tick().await;
        let started = std::time::Instant::now();
        match api::sponsors::follow::catch_up(&db).await {
            Ok(Some(done)) if done != api::sponsors::follow::CaughtUp::default() => {
                tracing::info!(
                    sponsors_followed = done.sponsors_followed,
                    lapses_recorded = done.lapses_recorded,
                    elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
                    "caught up with sponsorships"
                );
            }
            Ok(Some(_)) => tracing::debug!("nothing to catch up with"),
            Ok(None) => tracing::debug!("another replica is catching up with sponsorships"),
            Err(err) => {
                tracing::warn!(error = %err, "catching up with sponsorships failed; will retry");
            }
        }
    }
}

/// Resolves on SIGINT or SIGTERM: the server then stops accepting and lets in-flight requests
/// finish.
async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = interrupt => {},
                    _ = terminate.recv() => {},
                }
            }
            Err(err) => {
                tracing::warn!(error = %err, "cannot listen for SIGTERM; only SIGINT stops");
                let _ = interrupt.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
    tracing::info!("stop signal received; finishing in-flight requests");
}
