//! What one setting cannot say alone, checked once every variable is read: production's
//! requirements, a lease longer than a request, values out of range.

use super::settings::{Config, ConfigError};

impl Config {
    /// Refuses settings that are unsafe, and in production the development-only ones.
    pub(super) fn check(&self) -> Result<(), ConfigError> {
        if self.body_limit < 1024 {
            return Err(ConfigError::new(
                "QUORUM_BODY_LIMIT",
                "must be at least 1024 bytes",
            ));
        }
        if self.listen_heartbeat.is_zero()
            || self.listen_heartbeat_deadline <= self.listen_heartbeat
        {
            return Err(ConfigError::new(
                "QUORUM_LISTEN_HEARTBEAT_DEADLINE_MS",
                "must be longer than QUORUM_LISTEN_HEARTBEAT_MS, which must be at least 1 ms",
            ));
        }
        if self.log_seal_interval.is_zero() {
            return Err(ConfigError::new(
                "QUORUM_LOG_SEAL_INTERVAL_MS",
                "must be at least 1 ms",
            ));
        }
        if self.log_witness_quorum.is_some_and(|quorum| {
            quorum > self.log_witnesses.len() || (quorum == 0 && !self.log_witnesses.is_empty())
        }) {
            return Err(ConfigError::new(
                "QUORUM_LOG_WITNESS_QUORUM",
                "must be between 1 and the number of QUORUM_LOG_WITNESSES",
            ));
        }
        let origin = self.log_origin();
        if origin.is_empty() || origin.contains('+') || origin.chars().any(char::is_whitespace) {
            return Err(ConfigError::new(
                "QUORUM_LOG_ORIGIN",
                "must be a schema-less URL with no spaces or '+', such as quorum.example.org/audit",
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
