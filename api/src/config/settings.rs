//! The settings, declared: each field of [`Config`] is a clap argument. Its first `#[arg]` line
//! names the variable (`env`) and its default, its doc comment is its help, and its last
//! `#[arg]` line says how the text is read (`parse.rs`). The `long` flag is only how
//! `variables.rs` hands clap the value: `quorum`'s command line takes no such flags.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use clap::{ArgAction::Set, Args};

use super::parse::{self, Environment, LogWitness, SecretText, TrustedDocuments};

/// The whole configuration, built once at start-up.
#[derive(Args, Clone, Debug)]
pub struct Config {
    /// `development` or `production`. Production turns GraphiQL and introspection off unless
    /// they are set on, logs JSON, and refuses to start without a signing key, an SMTP relay,
    /// an https `QUORUM_PUBLIC_URL` and a sender in a real domain, or with a wildcard or
    /// plain-http CORS origin.
    #[arg(env = "QUORUM_ENV", default_value = "development")]
    #[arg(long, value_parser = parse::environment)]
    pub environment: Environment,
    /// `sqlite://path` (created if missing) or `postgres://user@host:port/db`.
    #[arg(env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    #[arg(long)]
    pub database_url: String,
    /// The database connection pool's size.
    #[arg(env = "QUORUM_DB_MAX_CONNECTIONS", default_value = "10")]
    #[arg(long, value_parser = parse::value::<u32>)]
    pub db_max_connections: u32,
    /// The listen address.
    #[arg(env = "QUORUM_ADDR", default_value = "127.0.0.1:8000")]
    #[arg(long, value_parser = parse::value::<SocketAddr>)]
    pub addr: SocketAddr,
    /// PEM file with the Ed25519 key that signs access tokens; required in production.
    /// Development creates `<database>.signing-key.pem` beside a SQLite file when unset.
    #[arg(env = "QUORUM_SIGNING_KEY_FILE")]
    #[arg(long)]
    pub signing_key_file: Option<PathBuf>,
    /// 32 random bytes in base64 (`openssl rand -base64 32`): the key that seals webhook
    /// secrets at rest and signs unsubscribe links. Unset, a key is derived from the
    /// access-token signing key, so that replacing that key file makes stored webhook secrets
    /// unreadable (rotate them); set this in production to keep the two apart.
    #[arg(env = "QUORUM_SECRET_KEY")]
    #[arg(long, value_parser = parse::secret)]
    pub secret_key: Option<SecretText>,
    /// A bearer token that `GET /metrics` requires (`Authorization: Bearer <token>`), for the
    /// scraper. Unset, development serves metrics to anyone and production serves none.
    #[arg(env = "QUORUM_METRICS_TOKEN")]
    #[arg(long, value_parser = parse::secret)]
    pub metrics_token: Option<SecretText>,
    /// Comma-separated origins (`https://app.example.org`) whose pages may call the API; none
    /// by default. Development also allows `http://localhost:*` and `http://127.0.0.1:*` on any
    /// port, and `*` there allows any origin. Same-origin requests, such as the built-in
    /// GraphiQL's, never need a listing.
    #[arg(env = "QUORUM_CORS_ORIGINS", default_value = "")]
    #[arg(long, value_parser = parse::origins)]
    pub cors_origins: ::std::vec::Vec<String>,
    /// Behind exactly one trusted proxy, take the client's address (for the log-in limits) from
    /// the last `X-Forwarded-For` entry.
    #[arg(env = "QUORUM_TRUST_FORWARDED_FOR", default_value = "false")]
    #[arg(long, action = Set, value_parser = parse::flag)]
    pub trust_forwarded_for: bool,
    /// The largest accepted request body in bytes; larger ones get 413, chunked or not.
    #[arg(env = "QUORUM_BODY_LIMIT", default_value = "1048576")]
    #[arg(long, value_parser = parse::value::<usize>)]
    pub body_limit: usize,
    /// The largest accepted batch (JSON array) of operations; 0 refuses batches.
    #[arg(env = "QUORUM_BATCH_MAX", default_value = "0")]
    #[arg(long, value_parser = parse::value::<usize>)]
    pub batch_max: usize,
    /// The longest a GraphQL request may run before it is abandoned, its transaction rolled
    /// back, with `SERVICE_UNAVAILABLE`, in seconds.
    #[arg(env = "QUORUM_REQUEST_TIMEOUT_SECS", default_value = "30")]
    #[arg(long, value_parser = parse::seconds)]
    pub request_timeout: Duration,
    /// How long after a refresh token is used it may be presented again and answer the same
    /// new pair instead of ending the session (two tabs, or React StrictMode, refreshing at
    /// once), in seconds; 0 ends the session on any second use.
    #[arg(env = "QUORUM_REFRESH_REUSE_GRACE_SECS", default_value = "30")]
    #[arg(long, value_parser = parse::seconds)]
    pub refresh_reuse_grace: Duration,
    /// How long an integration's secret keeps working after `rotateIntegrationSecret` replaced
    /// it, when the rotation does not say, in seconds; 0 retires it at once.
    #[arg(
        env = "QUORUM_INTEGRATION_SECRET_OVERLAP_SECS",
        default_value = "86400"
    )]
    #[arg(long, value_parser = parse::seconds)]
    pub integration_secret_overlap: Duration,
    /// Serve GraphiQL to browsers at `GET /graphql` (default on in development, off in
    /// production).
    #[arg(
        env = "QUORUM_GRAPHIQL",
        default_value = "true",
        hide_default_value = true
    )]
    #[arg(default_value_if("environment", "production", "false"))]
    #[arg(long, action = Set, value_parser = parse::flag)]
    pub graphiql: bool,
    /// Allow schema introspection (default on in development, off in production).
    #[arg(
        env = "QUORUM_INTROSPECTION",
        default_value = "true",
        hide_default_value = true
    )]
    #[arg(default_value_if("environment", "production", "false"))]
    #[arg(long, action = Set, value_parser = parse::flag)]
    pub introspection: bool,
    /// Keep anonymous reads of the sponsor list and the directory in memory until any write
    /// commits (on any replica) or midnight UTC.
    #[arg(env = "QUORUM_PUBLIC_CACHE", default_value = "true")]
    #[arg(long, action = Set, value_parser = parse::flag)]
    pub public_cache: bool,
    /// Trusted documents (persisted queries registered with `quorum documents push`): `off`
    /// ignores document ids, `allow` runs registered documents and raw queries alike, `require`
    /// refuses a raw `query` (`PERSISTED_QUERY_REQUIRED`). Production should use `require` once
    /// its frontends push their manifests.
    #[arg(env = "QUORUM_TRUSTED_DOCUMENTS", default_value = "allow")]
    #[arg(long, value_parser = parse::trusted_documents)]
    pub trusted_documents: TrustedDocuments,
    /// How often each replica sends itself a heartbeat `NOTIFY` through PostgreSQL to the
    /// `LISTEN` connection that keeps its public cache fresh, in milliseconds.
    #[arg(env = "QUORUM_LISTEN_HEARTBEAT_MS", default_value = "1000")]
    #[arg(long, value_parser = parse::millis)]
    pub listen_heartbeat: Duration,
    /// How old the last heartbeat that came back may be before the replica stops serving cached
    /// public answers (reading the database instead) and reports `/ready` degraded, in
    /// milliseconds. It bounds how stale a cached answer can be when the `LISTEN` connection
    /// stalls. Longer than `QUORUM_LISTEN_HEARTBEAT_MS`.
    #[arg(env = "QUORUM_LISTEN_HEARTBEAT_DEADLINE_MS", default_value = "3000")]
    #[arg(long, value_parser = parse::millis)]
    pub listen_heartbeat_deadline: Duration,
    /// The origin of the audit log's checkpoints (their first line) and the name of its signing
    /// key in signed notes: a schema-less URL with no spaces or `+`. Unset, the host of
    /// `QUORUM_PUBLIC_URL` and `/audit`, such as `quorum.example.org/audit`.
    #[arg(env = "QUORUM_LOG_ORIGIN")]
    #[arg(long)]
    pub log_origin: Option<String>,
    /// How often the sealer puts the committed audit entries into the Merkle tree log and signs
    /// a checkpoint, in milliseconds: every entry is in a signed checkpoint within about this
    /// long after its commit.
    #[arg(env = "QUORUM_LOG_SEAL_INTERVAL_MS", default_value = "500")]
    #[arg(long, value_parser = parse::millis)]
    pub log_seal_interval: Duration,
    /// The witnesses each new checkpoint of the audit log is sent to (C2SP tlog-witness),
    /// separated by commas: `<URL>=<verifier key>`, the URL the witness's `/add-checkpoint` is
    /// under and its cosignature verifier key (as `quorum witness keygen` prints it, type 0x04;
    /// it contains no `=`); `<verifier key>=<URL>` is read too. Their cosignatures are served
    /// after the log's signature. None by default.
    #[arg(env = "QUORUM_LOG_WITNESSES", default_value = "")]
    #[arg(long, value_parser = parse::log_witnesses)]
    pub log_witnesses: ::std::vec::Vec<LogWitness>,
    /// How many of `QUORUM_LOG_WITNESSES` must cosign a checkpoint for it to count as
    /// witnessed (`auditCheckpoint.witnessed`); unset, all of them.
    #[arg(env = "QUORUM_LOG_WITNESS_QUORUM")]
    #[arg(long, value_parser = parse::value::<usize>)]
    pub log_witness_quorum: Option<usize>,
    /// After SIGTERM or SIGINT, how long in-flight requests may finish, in seconds.
    #[arg(env = "QUORUM_SHUTDOWN_GRACE_SECS", default_value = "30")]
    #[arg(long, value_parser = parse::seconds)]
    pub shutdown_grace: Duration,
    /// `json` or `text` (default `text` in development, `json` in production).
    #[arg(
        env = "QUORUM_LOG_FORMAT",
        default_value = "text",
        hide_default_value = true
    )]
    #[arg(default_value_if("environment", "production", "json"))]
    #[arg(long, action = Set, value_parser = parse::log_format)]
    pub log_json: bool,
    /// The log filter, e.g. `debug` or `api=debug,sqlx=warn`; one that cannot be read is
    /// replaced by the default, with a warning.
    #[arg(env = "RUST_LOG", default_value = DEFAULT_LOG_FILTER)]
    #[arg(long)]
    pub log_filter: String,
    /// The time limits of every PostgreSQL connection.
    #[command(flatten)]
    pub db_timeouts: DbTimeouts,
    /// The query limits.
    #[command(flatten)]
    pub limits: QueryLimits,
    /// The limits of WebSocket connections.
    #[command(flatten)]
    pub websocket: WebSocketLimits,
    /// The log-in and sign-up rate limits.
    #[command(flatten)]
    pub rate_limits: RateLimits,
    /// Webhooks, mail and their workers.
    #[command(flatten)]
    pub notifications: Notifications,
}

/// Time limits set on every PostgreSQL connection, so that one stuck transaction (a frozen
/// replica, a lost client) cannot hold a lock and stop every other writer without end.
#[derive(Args, Clone, Debug)]
#[command(next_help_heading = "Database time limits (PostgreSQL)")]
pub struct DbTimeouts {
    /// The longest a statement waits for a lock (`lock_timeout`) before the request gets
    /// `SERVICE_UNAVAILABLE`, in milliseconds.
    #[arg(env = "QUORUM_DB_LOCK_TIMEOUT_MS", default_value = "5000")]
    #[arg(long, value_parser = parse::millis)]
    pub lock: Duration,
    /// The longest one statement may run (`statement_timeout`), in milliseconds.
    #[arg(env = "QUORUM_DB_STATEMENT_TIMEOUT_MS", default_value = "30000")]
    #[arg(long, value_parser = parse::millis)]
    pub statement: Duration,
    /// The longest a transaction may sit idle (a frozen replica) before PostgreSQL ends its
    /// session, in milliseconds.
    #[arg(
        env = "QUORUM_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS",
        default_value = "30000"
    )]
    #[arg(long, value_parser = parse::millis)]
    pub idle_in_transaction: Duration,
}

/// Limits that protect the GraphQL executor from expensive documents.
#[derive(Args, Clone, Debug)]
#[command(next_help_heading = "Query limits")]
pub struct QueryLimits {
    /// The deepest selection set nesting.
    #[arg(env = "QUORUM_MAX_DEPTH", default_value = "10")]
    #[arg(long, value_parser = parse::value::<usize>)]
    pub max_depth: usize,
    /// The query's cost: each field costs 1, and a list field its children once per ten items
    /// of the page asked for.
    #[arg(env = "QUORUM_MAX_COMPLEXITY", default_value = "1000")]
    #[arg(long, value_parser = parse::value::<usize>)]
    pub max_complexity: usize,
    /// Fields, fragment spreads and inline fragments in every operation of the document,
    /// counted as often as its fragments expand.
    #[arg(env = "QUORUM_MAX_SELECTIONS", default_value = "1000")]
    #[arg(long, value_parser = parse::value::<usize>)]
    pub max_selections: usize,
    /// Aliases in one document, fragments expanded.
    #[arg(env = "QUORUM_MAX_ALIASES", default_value = "15")]
    #[arg(long, value_parser = parse::value::<usize>)]
    pub max_aliases: usize,
    /// Directives in one document, fragments expanded.
    #[arg(env = "QUORUM_MAX_DIRECTIVES", default_value = "50")]
    #[arg(long, value_parser = parse::value::<usize>)]
    pub max_directives: usize,
    /// The nesting of selection sets, fragments included, guarding the parser's stack.
    #[arg(env = "QUORUM_MAX_RECURSION", default_value = "32")]
    #[arg(long, value_parser = parse::value::<usize>)]
    pub max_recursion: usize,
}

/// Limits of a WebSocket connection at `/graphql/ws`.
#[derive(Args, Clone, Debug)]
#[command(next_help_heading = "WebSocket")]
pub struct WebSocketLimits {
    /// Subscriptions one connection may run at once; the next is refused by id.
    #[arg(env = "QUORUM_WS_MAX_SUBSCRIPTIONS", default_value = "20")]
    #[arg(long, value_parser = parse::value::<usize>)]
    pub max_subscriptions: usize,
    /// WebSocket connections and running subscriptions one client address may hold on one
    /// replica, together (each counts one); a connection over it is refused with 429, a
    /// subscription over it by id.
    #[arg(env = "QUORUM_WS_MAX_PER_ADDRESS", default_value = "100")]
    #[arg(long, value_parser = parse::value::<usize>)]
    pub max_per_address: usize,
    /// WebSocket connections and running subscriptions one replica carries in all.
    #[arg(env = "QUORUM_WS_MAX_TOTAL", default_value = "5000")]
    #[arg(long, value_parser = parse::value::<usize>)]
    pub max_total: usize,
    /// How long a new connection may take to send `connection_init` before it is closed with
    /// 4408, in seconds.
    #[arg(env = "QUORUM_WS_INIT_TIMEOUT_SECS", default_value = "10")]
    #[arg(long, value_parser = parse::seconds)]
    pub init_timeout: Duration,
    /// How often a connection's credential is checked again, in seconds; a logged-out session,
    /// an expired token or a revoked API token closes it with 4403.
    #[arg(env = "QUORUM_WS_RECHECK_SECS", default_value = "10")]
    #[arg(long, value_parser = parse::seconds)]
    pub recheck: Duration,
}

/// Attempts allowed before `RATE_LIMITED`, counted in the database across replicas.
#[derive(Args, Clone, Debug)]
#[command(next_help_heading = "Log-in and sign-up limits")]
pub struct RateLimits {
    /// Log-in attempts per account a minute.
    #[arg(env = "QUORUM_LOG_INS_PER_ACCOUNT", default_value = "10")]
    #[arg(long, value_parser = parse::value::<u32>)]
    pub log_ins_per_account: u32,
    /// Log-in attempts per client address a minute.
    #[arg(env = "QUORUM_LOG_INS_PER_ADDRESS", default_value = "30")]
    #[arg(long, value_parser = parse::value::<u32>)]
    pub log_ins_per_address: u32,
    /// Sign-ups per client address an hour.
    #[arg(env = "QUORUM_SIGN_UPS_PER_ADDRESS", default_value = "10")]
    #[arg(long, value_parser = parse::value::<u32>)]
    pub sign_ups_per_address: u32,
}

/// Webhooks, mail and the workers that send them.
#[derive(Args, Clone, Debug)]
#[command(next_help_heading = "Webhooks and mail")]
pub struct Notifications {
    /// Run the webhook and mail workers and the daily scheduler in this process; every replica
    /// may run them.
    #[arg(env = "QUORUM_NOTIFICATION_WORKERS", default_value = "true")]
    #[arg(long, action = Set, value_parser = parse::flag)]
    pub workers: bool,
    /// How often an idle worker looks for due work, in milliseconds.
    #[arg(env = "QUORUM_DELIVERY_POLL_MS", default_value = "1000")]
    #[arg(long, value_parser = parse::millis)]
    pub poll: Duration,
    /// Attempts of a webhook delivery or a message before it is `FAILED`; from 30 s doubling
    /// to the six-hour cap, with jitter, the default spreads them over about a day.
    #[arg(env = "QUORUM_DELIVERY_MAX_ATTEMPTS", default_value = "14")]
    #[arg(long, value_parser = parse::value::<u32>)]
    pub max_attempts: u32,
    /// The first retry's delay, doubled after each failure up to six hours, with jitter, in
    /// milliseconds.
    #[arg(env = "QUORUM_DELIVERY_RETRY_BASE_MS", default_value = "30000")]
    #[arg(long, value_parser = parse::millis)]
    pub retry_base: Duration,
    /// How long a worker holds a claimed delivery, in milliseconds; a worker that dies holding
    /// one frees it after this long. Must be longer than `QUORUM_WEBHOOK_TIMEOUT_MS`.
    #[arg(env = "QUORUM_DELIVERY_LEASE_MS", default_value = "60000")]
    #[arg(long, value_parser = parse::millis)]
    pub lease: Duration,
    /// The longest a webhook request may take to connect, in milliseconds.
    #[arg(env = "QUORUM_WEBHOOK_CONNECT_TIMEOUT_MS", default_value = "5000")]
    #[arg(long, value_parser = parse::millis)]
    pub connect_timeout: Duration,
    /// The longest a webhook request may take in all, in milliseconds.
    #[arg(
        id = "webhook_timeout",
        env = "QUORUM_WEBHOOK_TIMEOUT_MS",
        default_value = "10000"
    )]
    #[arg(long = "webhook-timeout", value_parser = parse::millis)]
    pub request_timeout: Duration,
    /// How long a rotated webhook secret keeps signing beside the new one, so that a receiver
    /// can switch without losing an event, in seconds; 0 retires it at once.
    #[arg(env = "QUORUM_WEBHOOK_SECRET_GRACE_SECS", default_value = "86400")]
    #[arg(long, value_parser = parse::seconds)]
    pub secret_grace: Duration,
    /// The mail relay, e.g. `smtps://user:pass@smtp.example.org`, `smtp://…?tls=required` or
    /// `smtp://127.0.0.1:2525`; required in production. Unset, each message is written as an
    /// `.eml` file into `QUORUM_MAIL_DIR` and logged.
    #[arg(env = "QUORUM_SMTP_URL")]
    #[arg(long)]
    pub smtp_url: Option<String>,
    /// The sender of every message; production refuses a `localhost` or IP-literal sender.
    #[arg(env = "QUORUM_MAIL_FROM", default_value = "Quorum <noreply@localhost>")]
    #[arg(long)]
    pub mail_from: String,
    /// Where messages are written as `.eml` files when no SMTP relay is set.
    #[arg(env = "QUORUM_MAIL_DIR", default_value = "mail-outbox")]
    #[arg(long)]
    pub mail_dir: PathBuf,
    /// The address people reach the foundation's site at, for links in mail; https in
    /// production. The one-click unsubscribe link is `<QUORUM_PUBLIC_URL>/unsubscribe`, so this
    /// address must reach this server's `/unsubscribe` (directly, or through the site's proxy).
    #[arg(env = "QUORUM_PUBLIC_URL", default_value = "http://127.0.0.1:8000")]
    #[arg(long, value_parser = parse::site)]
    pub public_url: String,
}

/// The SQLite file used when `DATABASE_URL` is not set.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://quorum.db";

/// The log filter used when `RUST_LOG` is not set.
pub const DEFAULT_LOG_FILTER: &str = "info,sqlx=warn,sea_orm=warn";

/// A setting that cannot be used, named by its variable.
#[derive(Debug, thiserror::Error)]
#[error("{variable}: {problem}")]
pub struct ConfigError {
    pub variable: String,
    pub problem: String,
}

impl ConfigError {
    pub(super) fn new(variable: impl Into<String>, problem: impl Into<String>) -> Self {
        Self {
            variable: variable.into(),
            problem: problem.into(),
        }
    }
}

impl Config {
    /// A configuration for tests and tools: development defaults over the given database.
    pub fn for_database(database_url: impl Into<String>) -> Self {
        Self {
            database_url: database_url.into(),
            ..Self::default()
        }
    }

    /// The audit log's origin: `QUORUM_LOG_ORIGIN`, else the public URL's host and `/audit`.
    pub fn log_origin(&self) -> String {
        if let Some(origin) = &self.log_origin {
            return origin.trim().to_owned();
        }
        let url = &self.notifications.public_url;
        let host = url
            .split_once("://")
            .map_or(url.as_str(), |(_, rest)| rest)
            .trim_end_matches('/');
        format!("{host}/audit")
    }

    /// Whether a page from `origin` (as a browser sends it in `Origin`) may call the API.
    pub fn allows_origin(&self, origin: &str) -> bool {
        if self
            .cors_origins
            .iter()
            .any(|allowed| allowed == "*" || allowed.trim_end_matches('/') == origin)
        {
            return true;
        }
        !self.is_production() && is_local_dev_origin(origin)
    }

    /// How many witnesses' cosignatures make a checkpoint witnessed: `QUORUM_LOG_WITNESS_QUORUM`,
    /// else every configured witness.
    pub fn witness_quorum(&self) -> usize {
        self.log_witness_quorum.unwrap_or(self.log_witnesses.len())
    }

    /// True when running with production safeguards.
    pub fn is_production(&self) -> bool {
        self.environment == Environment::Production
    }
}

/// `http://localhost`, `http://127.0.0.1` or `http://[::1]`, on any port: a dev server on the
/// developer's own machine.
fn is_local_dev_origin(origin: &str) -> bool {
    let Some(authority) = origin.strip_prefix("http://") else {
        return false;
    };
    let host = match authority.rsplit_once(':') {
        Some((host, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => authority,
    };
    matches!(host, "localhost" | "127.0.0.1" | "[::1]")
}
