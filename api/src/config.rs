//! Every setting of the server, read from environment variables, each with a documented default.

use std::{net::SocketAddr, path::PathBuf, str::FromStr, time::Duration};

/// Where the server runs: development is forgiving, production refuses unsafe settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

/// Limits that protect the GraphQL executor from expensive documents.
#[derive(Clone, Debug)]
pub struct QueryLimits {
    /// `QUORUM_MAX_DEPTH`: deepest selection set nesting (default 10).
    pub max_depth: usize,
    /// `QUORUM_MAX_COMPLEXITY`: sum of field costs, lists weighted by page size (default 1000).
    pub max_complexity: usize,
    /// `QUORUM_MAX_SELECTIONS`: fields selected once fragments are expanded, in every operation
    /// of the document (default 1000).
    pub max_selections: usize,
    /// `QUORUM_MAX_ALIASES`: aliases once fragments are expanded (default 15).
    pub max_aliases: usize,
    /// `QUORUM_MAX_DIRECTIVES`: directives once fragments are expanded (default 50).
    pub max_directives: usize,
    /// `QUORUM_MAX_RECURSION`: parser recursion depth, guarding the stack (default 32).
    pub max_recursion: usize,
}

impl Default for QueryLimits {
    fn default() -> Self {
        Self {
            max_depth: 10,
            max_complexity: 1000,
            max_selections: 1000,
            max_aliases: 15,
            max_directives: 50,
            max_recursion: 32,
        }
    }
}

/// Time limits set on every PostgreSQL connection, so that one stuck transaction (a frozen
/// replica, a lost client) cannot hold a lock and stop every other writer without end.
#[derive(Clone, Debug)]
pub struct DbTimeouts {
    /// `QUORUM_DB_LOCK_TIMEOUT_MS`: the longest a statement waits for a lock (default 5000).
    pub lock: Duration,
    /// `QUORUM_DB_STATEMENT_TIMEOUT_MS`: the longest one statement may run (default 30000).
    pub statement: Duration,
    /// `QUORUM_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS`: the longest a transaction may sit idle before
    /// PostgreSQL ends its session (default 30000).
    pub idle_in_transaction: Duration,
}

impl Default for DbTimeouts {
    fn default() -> Self {
        Self {
            lock: Duration::from_secs(5),
            statement: Duration::from_secs(30),
            idle_in_transaction: Duration::from_secs(30),
        }
    }
}

/// Attempts allowed before `RATE_LIMITED`, counted in the database across replicas.
#[derive(Clone, Debug)]
pub struct RateLimits {
    /// `QUORUM_LOG_INS_PER_ACCOUNT`: log-in attempts per account a minute (default 10).
    pub log_ins_per_account: u32,
    /// `QUORUM_LOG_INS_PER_ADDRESS`: log-in attempts per client address a minute (default 30).
    pub log_ins_per_address: u32,
    /// `QUORUM_SIGN_UPS_PER_ADDRESS`: sign-ups per client address an hour (default 10).
    pub sign_ups_per_address: u32,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            log_ins_per_account: 10,
            log_ins_per_address: 30,
            sign_ups_per_address: 10,
        }
    }
}

/// Limits of a WebSocket connection at `/graphql/ws`.
#[derive(Clone, Debug)]
pub struct WebSocketLimits {
    /// `QUORUM_WS_MAX_SUBSCRIPTIONS`: subscriptions one connection may run at once (default 20).
    pub max_subscriptions: usize,
    /// `QUORUM_WS_INIT_TIMEOUT_SECS`: how long a new connection may take to send
    /// `connection_init` before it is closed with 4408 (default 10).
    pub init_timeout: Duration,
    /// `QUORUM_WS_RECHECK_SECS`: how often a connection's credential is checked again; a
    /// logged-out session, an expired token or a revoked API token closes it with 4403
    /// (default 10).
    pub recheck: Duration,
}

impl Default for WebSocketLimits {
    fn default() -> Self {
        Self {
            max_subscriptions: 20,
            init_timeout: Duration::from_secs(10),
            recheck: Duration::from_secs(10),
        }
    }
}

/// Webhooks, mail and the workers that send them.
#[derive(Clone, Debug)]
pub struct Notifications {
    /// `QUORUM_NOTIFICATION_WORKERS`: run the delivery workers and the daily scheduler in this
    /// process (default on). Every replica may run them.
    pub workers: bool,
    /// `QUORUM_DELIVERY_POLL_MS`: how often a worker looks for due work (default 1000).
    pub poll: Duration,
    /// `QUORUM_DELIVERY_MAX_ATTEMPTS`: attempts before a delivery is `FAILED` (default 14, about a day of retries).
    pub max_attempts: u32,
    /// `QUORUM_DELIVERY_RETRY_BASE_MS`: the first retry's delay, doubled after each failure up
    /// to six hours, with jitter (default 30000).
    pub retry_base: Duration,
    /// `QUORUM_DELIVERY_LEASE_MS`: how long a worker holds a claimed delivery; a worker that
    /// dies holding one frees it after this long (default 60000). Longer than a send can take.
    pub lease: Duration,
    /// `QUORUM_WEBHOOK_CONNECT_TIMEOUT_MS`: the longest a webhook may take to connect (default 5000).
    pub connect_timeout: Duration,
    /// `QUORUM_WEBHOOK_TIMEOUT_MS`: the longest a webhook request may take in all (default 10000).
    pub request_timeout: Duration,
    /// `QUORUM_SMTP_URL`: the mail server, e.g. `smtps://user:pass@smtp.example.org` or
    /// `smtp://127.0.0.1:2525`. Unset: each message is written as an `.eml` file into
    /// `QUORUM_MAIL_DIR` and logged.
    pub smtp_url: Option<String>,
    /// `QUORUM_MAIL_FROM`: the sender of every message (default `Quorum <noreply@localhost>`).
    pub mail_from: String,
    /// `QUORUM_MAIL_DIR`: where messages are written without SMTP (default `mail-outbox`).
    pub mail_dir: PathBuf,
    /// `QUORUM_PUBLIC_URL`: the address people reach the foundation's site at, for links in
    /// mail such as `List-Unsubscribe` (default `http://127.0.0.1:8000`). The one-click
    /// unsubscribe link is `<QUORUM_PUBLIC_URL>/unsubscribe`, so this address must reach this
    /// server's `/unsubscribe` (directly, or through the site's proxy).
    pub public_url: String,
    /// `QUORUM_WEBHOOK_SECRET_GRACE_SECS`: how long a rotated webhook secret keeps signing
    /// beside the new one, so that a receiver can switch without losing an event (default
    /// 86400, a day; 0 retires it at once).
    pub secret_grace: Duration,
}

impl Default for Notifications {
    fn default() -> Self {
        Self {
            workers: true,
            poll: Duration::from_secs(1),
            // From 30 s doubling, capped at six hours: about 26 hours from first to last.
            max_attempts: 14,
            retry_base: Duration::from_secs(30),
            lease: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(10),
            smtp_url: None,
            mail_from: "Quorum <noreply@localhost>".to_owned(),
            mail_dir: PathBuf::from("mail-outbox"),
            public_url: "http://127.0.0.1:8000".to_owned(),
            secret_grace: Duration::from_secs(24 * 3600),
        }
    }
}

/// The whole configuration, built once at start-up.
#[derive(Clone, Debug)]
pub struct Config {
    /// `QUORUM_ENV`: `development` (default) or `production`.
    pub environment: Environment,
    /// `DATABASE_URL`: default `sqlite://quorum.db` in the working directory.
    pub database_url: String,
    /// `QUORUM_DB_MAX_CONNECTIONS`: connection pool size (default 10).
    pub db_max_connections: u32,
    /// The `QUORUM_DB_*_TIMEOUT_MS` limits of every PostgreSQL connection.
    pub db_timeouts: DbTimeouts,
    /// The `QUORUM_WS_*` limits of WebSocket connections.
    pub websocket: WebSocketLimits,
    /// The log-in and sign-up rate limits.
    pub rate_limits: RateLimits,
    /// `QUORUM_REQUEST_TIMEOUT_SECS`: the longest a GraphQL request may run before it is
    /// abandoned, its transaction rolled back, with `SERVICE_UNAVAILABLE` (default 30).
    pub request_timeout: Duration,
    /// `QUORUM_ADDR`: listen address (default `127.0.0.1:8000`).
    pub addr: SocketAddr,
    /// `QUORUM_SIGNING_KEY_FILE`: PEM file with the Ed25519 key that signs access tokens.
    /// Development creates `<database>.signing-key.pem` beside a SQLite file when unset.
    pub signing_key_file: Option<PathBuf>,
    /// `QUORUM_CORS_ORIGINS`: comma-separated origins (`https://app.example.org`) whose pages
    /// may call the API. Production allows exactly these (none by default); development also
    /// allows `http://localhost:*` and `http://127.0.0.1:*` on any port, and `*` there allows
    /// any origin. Same-origin requests, such as the built-in GraphiQL's, never need a listing.
    /// See [`Config::allows_origin`].
    pub cors_origins: Vec<String>,
    /// `QUORUM_BODY_LIMIT`: largest accepted request body in bytes (default 1 MiB).
    pub body_limit: usize,
    /// `QUORUM_BATCH_MAX`: largest accepted batch of operations; 0 (default) refuses batches.
    pub batch_max: usize,
    /// `QUORUM_GRAPHIQL`: serve GraphiQL to browsers (default on in development, off in production).
    pub graphiql: bool,
    /// Whether anonymous reads of the sponsor list and directory are cached in memory.
    pub public_cache: bool,
    /// `QUORUM_INTROSPECTION`: allow schema introspection (default on in development, off in production).
    pub introspection: bool,
    /// The `QUORUM_MAX_*` query limits.
    pub limits: QueryLimits,
    /// `QUORUM_SHUTDOWN_GRACE_SECS`: how long in-flight requests may run after a stop signal (default 30).
    pub shutdown_grace: Duration,
    /// `QUORUM_LOG_FORMAT`: `json` or `text` (default `text` in development, `json` in production).
    pub log_json: bool,
    /// `QUORUM_TRUST_FORWARDED_FOR`: take the client's address from the last `X-Forwarded-For`
    /// entry, for running behind exactly one trusted proxy (default off).
    pub trust_forwarded_for: bool,
    /// Webhooks, mail and their workers.
    pub notifications: Notifications,
    /// `QUORUM_SECRET_KEY`: 32 random bytes in base64 (`openssl rand -base64 32`), the key that
    /// seals webhook secrets at rest and signs unsubscribe links. Unset, a key is derived from
    /// the access-token signing key, so replacing that key file then makes stored webhook
    /// secrets unreadable (rotate them); set this to keep the two apart.
    pub secret_key: Option<SecretText>,
}

/// A secret setting: kept out of `Debug` output, so that it never reaches a log.
#[derive(Clone)]
pub struct SecretText(pub String);

impl std::fmt::Debug for SecretText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

impl Default for Config {
    /// The development defaults: what runs when nothing is set.
    fn default() -> Self {
        Self {
            environment: Environment::Development,
            database_url: DEFAULT_DATABASE_URL.to_owned(),
            db_max_connections: 10,
            db_timeouts: DbTimeouts::default(),
            request_timeout: Duration::from_secs(30),
            websocket: WebSocketLimits::default(),
            rate_limits: RateLimits::default(),
            addr: SocketAddr::from(([127, 0, 0, 1], 8000)),
            signing_key_file: None,
            cors_origins: Vec::new(),
            body_limit: 1024 * 1024,
            batch_max: 0,
            graphiql: true,
            public_cache: true,
            introspection: true,
            limits: QueryLimits::default(),
            shutdown_grace: Duration::from_secs(30),
            log_json: false,
            trust_forwarded_for: false,
            notifications: Notifications::default(),
            secret_key: None,
        }
    }
}

/// A setting that cannot be used, named by its variable.
#[derive(Debug, thiserror::Error)]
#[error("{variable}: {problem}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub problem: String,
}

impl ConfigError {
    fn new(variable: &'static str, problem: impl Into<String>) -> Self {
        Self {
            variable,
            problem: problem.into(),
        }
    }
}

/// The SQLite file used when `DATABASE_URL` is not set.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://quorum.db";

impl Config {
    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `lookup`, so tests can supply their own variables.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        let environment = match get("QUORUM_ENV").as_deref().map(str::trim) {
            None | Some("development") => Environment::Development,
            Some("production") => Environment::Production,
            Some(other) => {
                return Err(ConfigError::new(
                    "QUORUM_ENV",
                    format!("expected `development` or `production`, got `{other}`"),
                ));
            }
        };
        let production = environment == Environment::Production;
        let defaults = Self::default();
        let limits = defaults.limits;
        let notify = defaults.notifications;
        let config = Self {
            environment,
            database_url: get("DATABASE_URL").unwrap_or(defaults.database_url),
            db_max_connections: parse(
                &get,
                "QUORUM_DB_MAX_CONNECTIONS",
                defaults.db_max_connections,
            )?,
            db_timeouts: DbTimeouts {
                lock: millis(&get, "QUORUM_DB_LOCK_TIMEOUT_MS", defaults.db_timeouts.lock)?,
                statement: millis(
                    &get,
                    "QUORUM_DB_STATEMENT_TIMEOUT_MS",
                    defaults.db_timeouts.statement,
                )?,
                idle_in_transaction: millis(
                    &get,
                    "QUORUM_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS",
                    defaults.db_timeouts.idle_in_transaction,
                )?,
            },
            request_timeout: Duration::from_secs(parse(
                &get,
                "QUORUM_REQUEST_TIMEOUT_SECS",
                defaults.request_timeout.as_secs(),
            )?),
            rate_limits: RateLimits {
                log_ins_per_account: parse(
                    &get,
                    "QUORUM_LOG_INS_PER_ACCOUNT",
                    defaults.rate_limits.log_ins_per_account,
                )?,
                log_ins_per_address: parse(
                    &get,
                    "QUORUM_LOG_INS_PER_ADDRESS",
                    defaults.rate_limits.log_ins_per_address,
                )?,
                sign_ups_per_address: parse(
                    &get,
                    "QUORUM_SIGN_UPS_PER_ADDRESS",
                    defaults.rate_limits.sign_ups_per_address,
                )?,
            },
            websocket: WebSocketLimits {
                max_subscriptions: parse(
                    &get,
                    "QUORUM_WS_MAX_SUBSCRIPTIONS",
                    defaults.websocket.max_subscriptions,
                )?,
                init_timeout: Duration::from_secs(parse(
                    &get,
                    "QUORUM_WS_INIT_TIMEOUT_SECS",
                    defaults.websocket.init_timeout.as_secs(),
                )?),
                recheck: Duration::from_secs(parse(
                    &get,
                    "QUORUM_WS_RECHECK_SECS",
                    defaults.websocket.recheck.as_secs(),
                )?),
            },
            addr: parse(&get, "QUORUM_ADDR", defaults.addr)?,
            signing_key_file: get("QUORUM_SIGNING_KEY_FILE").map(PathBuf::from),
            cors_origins: get("QUORUM_CORS_ORIGINS")
                .map(|list| {
                    list.split(',')
                        .map(|origin| origin.trim().to_owned())
                        .filter(|origin| !origin.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            body_limit: parse(&get, "QUORUM_BODY_LIMIT", defaults.body_limit)?,
            batch_max: parse(&get, "QUORUM_BATCH_MAX", defaults.batch_max)?,
            graphiql: parse_flag(&get, "QUORUM_GRAPHIQL", !production)?,
            public_cache: parse_flag(&get, "QUORUM_PUBLIC_CACHE", defaults.public_cache)?,
            introspection: parse_flag(&get, "QUORUM_INTROSPECTION", !production)?,
            limits: QueryLimits {
                max_depth: parse(&get, "QUORUM_MAX_DEPTH", limits.max_depth)?,
                max_complexity: parse(&get, "QUORUM_MAX_COMPLEXITY", limits.max_complexity)?,
                max_selections: parse(&get, "QUORUM_MAX_SELECTIONS", limits.max_selections)?,
                max_aliases: parse(&get, "QUORUM_MAX_ALIASES", limits.max_aliases)?,
                max_directives: parse(&get, "QUORUM_MAX_DIRECTIVES", limits.max_directives)?,
                max_recursion: parse(&get, "QUORUM_MAX_RECURSION", limits.max_recursion)?,
            },
            shutdown_grace: Duration::from_secs(parse(
                &get,
                "QUORUM_SHUTDOWN_GRACE_SECS",
                defaults.shutdown_grace.as_secs(),
            )?),
            trust_forwarded_for: parse_flag(
                &get,
                "QUORUM_TRUST_FORWARDED_FOR",
                defaults.trust_forwarded_for,
            )?,
            notifications: Notifications {
                workers: parse_flag(&get, "QUORUM_NOTIFICATION_WORKERS", notify.workers)?,
                poll: millis(&get, "QUORUM_DELIVERY_POLL_MS", notify.poll)?,
                max_attempts: parse(&get, "QUORUM_DELIVERY_MAX_ATTEMPTS", notify.max_attempts)?,
                retry_base: millis(&get, "QUORUM_DELIVERY_RETRY_BASE_MS", notify.retry_base)?,
                lease: millis(&get, "QUORUM_DELIVERY_LEASE_MS", notify.lease)?,
                connect_timeout: millis(
                    &get,
                    "QUORUM_WEBHOOK_CONNECT_TIMEOUT_MS",
                    notify.connect_timeout,
                )?,
                request_timeout: millis(&get, "QUORUM_WEBHOOK_TIMEOUT_MS", notify.request_timeout)?,
                smtp_url: get("QUORUM_SMTP_URL"),
                mail_from: get("QUORUM_MAIL_FROM").unwrap_or(notify.mail_from),
                mail_dir: get("QUORUM_MAIL_DIR")
                    .map(PathBuf::from)
                    .unwrap_or(notify.mail_dir),
                public_url: get("QUORUM_PUBLIC_URL")
                    .map(|url| url.trim().trim_end_matches('/').to_owned())
                    .unwrap_or(notify.public_url),
                secret_grace: Duration::from_secs(parse(
                    &get,
                    "QUORUM_WEBHOOK_SECRET_GRACE_SECS",
                    notify.secret_grace.as_secs(),
                )?),
            },
            secret_key: get("QUORUM_SECRET_KEY").map(SecretText),
            log_json: match get("QUORUM_LOG_FORMAT").as_deref() {
                None => production,
                Some("json") => true,
                Some("text") => false,
                Some(other) => {
                    return Err(ConfigError::new(
                        "QUORUM_LOG_FORMAT",
                        format!("expected `json` or `text`, got `{other}`"),
                    ));
                }
            },
        };
        config.check()?;
        Ok(config)
    }

    /// A configuration for tests and tools: development defaults over the given database.
    pub fn for_database(database_url: impl Into<String>) -> Self {
        Self {
            database_url: database_url.into(),
            ..Self::default()
        }
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

    /// True when running with production safeguards.
    pub fn is_production(&self) -> bool {
        self.environment == Environment::Production
    }

    /// Refuses settings that are unsafe, and in production the development-only ones.
    fn check(&self) -> Result<(), ConfigError> {
        if self.body_limit < 1024 {
            return Err(ConfigError::new(
                "QUORUM_BODY_LIMIT",
                "must be at least 1024 bytes",
            ));
        }
        if self.db_max_connections == 0 {
            return Err(ConfigError::new(
                "QUORUM_DB_MAX_CONNECTIONS",
                "must be at least 1",
            ));
        }
        if self.request_timeout.is_zero() {
            return Err(ConfigError::new(
                "QUORUM_REQUEST_TIMEOUT_SECS",
                "must be at least 1 second",
            ));
        }
        if self.websocket.init_timeout.is_zero() || self.websocket.recheck.is_zero() {
            return Err(ConfigError::new(
                "QUORUM_WS_INIT_TIMEOUT_SECS",
                "WebSocket time limits must be at least 1 second",
            ));
        }
        if self.notifications.max_attempts == 0 {
            return Err(ConfigError::new(
                "QUORUM_DELIVERY_MAX_ATTEMPTS",
                "must be at least 1",
            ));
        }
        if let Some(url) = &self.notifications.smtp_url
            && let Err(err) = lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(url)
        {
            return Err(ConfigError::new(
                "QUORUM_SMTP_URL",
                format!(
                    "cannot be read ({err}); expected e.g. `smtps://user:pass@smtp.example.org` \
                     or `smtp://127.0.0.1:25`"
                ),
            ));
        }
        if self.notifications.lease <= self.notifications.request_timeout {
            return Err(ConfigError::new(
                "QUORUM_DELIVERY_LEASE_MS",
                "must be longer than QUORUM_WEBHOOK_TIMEOUT_MS, or a slow receiver could be sent \
                 the same attempt twice",
            ));
        }
        if self
            .notifications
            .mail_from
            .parse::<lettre::message::Mailbox>()
            .is_err()
        {
            return Err(ConfigError::new(
                "QUORUM_MAIL_FROM",
                "expected an address such as `Foundation <noreply@example.org>`",
            ));
        }
        if let Some(key) = &self.secret_key {
            crate::auth::sealing::ServerSecrets::parse_master(&key.0)
                .map_err(|err| ConfigError::new("QUORUM_SECRET_KEY", err.to_string()))?;
        }
        if !self.is_production() {
            return Ok(());
        }
        if self.signing_key_file.is_none() {
            return Err(ConfigError::new(
                "QUORUM_SIGNING_KEY_FILE",
                "production requires a persistent signing key file",
            ));
        }
        if self.cors_origins.iter().any(|origin| origin == "*") {
            return Err(ConfigError::new(
                "QUORUM_CORS_ORIGINS",
                "a wildcard origin is for development only; list the allowed origins",
            ));
        }
        if let Some(origin) = self.cors_origins.iter().find(|o| o.starts_with("http://")) {
            return Err(ConfigError::new(
                "QUORUM_CORS_ORIGINS",
                format!("`{origin}` is not https; production origins must be https"),
            ));
        }
        if self.notifications.smtp_url.is_none() {
            return Err(ConfigError::new(
                "QUORUM_SMTP_URL",
                "production sends mail through a relay; without one, messages would be written to \
                 files and counted as sent",
            ));
        }
        if !self.notifications.public_url.starts_with("https://") {
            return Err(ConfigError::new(
                "QUORUM_PUBLIC_URL",
                "production links in mail must be https",
            ));
        }
        let from = self.notifications.mail_from.to_ascii_lowercase();
        if from.contains("@localhost") || from.contains("@127.0.0.1") || from.contains("@[") {
            return Err(ConfigError::new(
                "QUORUM_MAIL_FROM",
                "production mail needs a sender in a real domain, e.g. `Foundation <noreply@example.org>`",
            ));
        }
        Ok(())
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

fn millis(
    get: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
    default: Duration,
) -> Result<Duration, ConfigError> {
    let ms: u64 = parse(
        get,
        variable,
        u64::try_from(default.as_millis()).unwrap_or(u64::MAX),
    )?;
    if ms == 0 {
        return Err(ConfigError::new(variable, "must be at least 1 ms"));
    }
    Ok(Duration::from_millis(ms))
}

fn parse<T: FromStr>(
    get: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
    default: T,
) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    match get(variable) {
        None => Ok(default),
        Some(raw) => raw
            .trim()
            .parse()
            .map_err(|err| ConfigError::new(variable, format!("cannot parse `{raw}`: {err}"))),
    }
}

fn parse_flag(
    get: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
    default: bool,
) -> Result<bool, ConfigError> {
    match get(variable).as_deref().map(str::trim) {
        None => Ok(default),
        Some("1" | "true" | "on" | "yes") => Ok(true),
        Some("0" | "false" | "off" | "no") => Ok(false),
        Some(other) => Err(ConfigError::new(
            variable,
            format!("expected true or false, got `{other}`"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Config::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn nothing_set_serves_development_on_sqlite() {
        let config = config(&[]).expect("defaults");
        assert_eq!(config.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(config.addr.to_string(), "127.0.0.1:8000");
        assert!(config.graphiql && config.introspection);
        assert_eq!(config.batch_max, 0);
    }

    #[test]
    fn a_lease_not_longer_than_the_webhook_timeout_is_refused() {
        let err = config(&[
            ("QUORUM_DELIVERY_LEASE_MS", "10000"),
            ("QUORUM_WEBHOOK_TIMEOUT_MS", "10000"),
        ])
        .expect_err("a lease no longer than a request");
        assert_eq!(err.variable, "QUORUM_DELIVERY_LEASE_MS");
        config(&[
            ("QUORUM_DELIVERY_LEASE_MS", "10001"),
            ("QUORUM_WEBHOOK_TIMEOUT_MS", "10000"),
        ])
        .expect("a longer lease");
    }

    #[test]
    fn the_secret_key_must_be_32_bytes_and_never_shows_in_debug_output() {
        let err = config(&[("QUORUM_SECRET_KEY", "too short")]).expect_err("a bad key");
        assert_eq!(err.variable, "QUORUM_SECRET_KEY");
        let key = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
        let config = config(&[
            ("QUORUM_SECRET_KEY", key),
            ("QUORUM_WEBHOOK_SECRET_GRACE_SECS", "60"),
        ])
        .expect("a key");
        assert!(!format!("{config:?}").contains(key));
        assert_eq!(config.notifications.secret_grace, Duration::from_secs(60));
    }

    #[test]
    fn an_unreadable_smtp_url_is_refused_at_start() {
        let err = config(&[("QUORUM_SMTP_URL", "not a url")]).expect_err("unreadable");
        assert_eq!(err.variable, "QUORUM_SMTP_URL");
        config(&[("QUORUM_SMTP_URL", "smtp://127.0.0.1:2525")]).expect("a relay");
    }

    #[test]
    fn production_requires_a_relay_an_https_site_and_a_real_sender() {
        let base = [
            ("QUORUM_ENV", "production"),
            ("QUORUM_SIGNING_KEY_FILE", "/etc/quorum/key.pem"),
        ];
        let with = |extra: &[(&'static str, &'static str)]| {
            let mut vars = base.to_vec();
            vars.extend_from_slice(extra);
            config(&vars)
        };
        let relay = ("QUORUM_SMTP_URL", "smtps://relay.example.org");
        let site = ("QUORUM_PUBLIC_URL", "https://quorum.example.org");
        let sender = ("QUORUM_MAIL_FROM", "Foundation <noreply@example.org>");
        let err = with(&[site, sender]).expect_err("no relay");
        assert_eq!(err.variable, "QUORUM_SMTP_URL");
        let err = with(&[relay, sender]).expect_err("an http site");
        assert_eq!(err.variable, "QUORUM_PUBLIC_URL");
        let err = with(&[relay, site]).expect_err("a localhost sender");
        assert_eq!(err.variable, "QUORUM_MAIL_FROM");
        with(&[relay, site, sender]).expect("all three");
    }

    #[test]
    fn production_requires_a_signing_key() {
        let err = config(&[("QUORUM_ENV", "production")]).expect_err("no key");
        assert_eq!(err.variable, "QUORUM_SIGNING_KEY_FILE");
    }

    #[test]
    fn production_refuses_a_wildcard_origin() {
        let err = config(&[
            ("QUORUM_ENV", "production"),
            ("QUORUM_SIGNING_KEY_FILE", "/etc/quorum/key.pem"),
            ("QUORUM_SMTP_URL", "smtps://relay.example.org"),
            ("QUORUM_PUBLIC_URL", "https://quorum.example.org"),
            ("QUORUM_MAIL_FROM", "Foundation <noreply@example.org>"),
            ("QUORUM_CORS_ORIGINS", "https://example.org, *"),
        ])
        .expect_err("wildcard");
        assert_eq!(err.variable, "QUORUM_CORS_ORIGINS");
    }

    #[test]
    fn production_turns_graphiql_and_introspection_off_unless_asked() {
        let base = [
            ("QUORUM_ENV", "production"),
            ("QUORUM_SIGNING_KEY_FILE", "/etc/quorum/key.pem"),
            ("QUORUM_SMTP_URL", "smtps://relay.example.org"),
            ("QUORUM_PUBLIC_URL", "https://quorum.example.org"),
            ("QUORUM_MAIL_FROM", "Foundation <noreply@example.org>"),
        ];
        let config = config(&base).expect("production");
        assert!(!config.graphiql && !config.introspection && config.log_json);
        let mut on = base.to_vec();
        on.push(("QUORUM_GRAPHIQL", "true"));
        assert!(super::tests::config(&on).expect("graphiql on").graphiql);
    }

    #[test]
    fn development_allows_local_dev_servers_on_any_port() {
        let config = config(&[]).expect("defaults");
        for origin in [
            "http://localhost:5173",
            "http://127.0.0.1:3000",
            "http://localhost",
            "http://[::1]:8080",
        ] {
            assert!(config.allows_origin(origin), "{origin}");
        }
        for origin in [
            "https://evil.example",
            "http://localhost.evil.example",
            "http://localhost:5173.evil.example",
            "http://127.0.0.1.evil.example:80",
            "null",
        ] {
            assert!(!config.allows_origin(origin), "{origin}");
        }
    }

    #[test]
    fn production_allows_exactly_the_listed_origins() {
        let config = config(&[
            ("QUORUM_ENV", "production"),
            ("QUORUM_SIGNING_KEY_FILE", "/etc/quorum/key.pem"),
            ("QUORUM_SMTP_URL", "smtps://relay.example.org"),
            ("QUORUM_PUBLIC_URL", "https://quorum.example.org"),
            ("QUORUM_MAIL_FROM", "Foundation <noreply@example.org>"),
            ("QUORUM_CORS_ORIGINS", "https://app.example.org"),
        ])
        .expect("production");
        assert!(config.allows_origin("https://app.example.org"));
        assert!(!config.allows_origin("https://app.example.org.evil.example"));
        assert!(!config.allows_origin("http://app.example.org"));
        assert!(!config.allows_origin("http://localhost:5173"));
    }

    #[test]
    fn a_malformed_number_names_its_variable() {
        let err = config(&[("QUORUM_MAX_DEPTH", "deep")]).expect_err("bad number");
        assert_eq!(err.variable, "QUORUM_MAX_DEPTH");
    }
}
