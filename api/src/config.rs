//! Every setting of the server: an environment variable, declared once (`settings.rs`) with its
//! default and its meaning, and listed by `quorum --help`.
//!
//! Each field of [`Config`] is a clap argument; `variables.rs` reads them through clap and lists
//! them. What one setting cannot say alone (production's requirements, a lease longer than a
//! request) is checked afterwards, by `Config::check` (`check.rs`).

mod check;
mod parse;
mod settings;
mod variables;

pub use parse::{Environment, LogWitness, SecretText, TrustedDocuments};
pub use settings::{
    Config, ConfigError, DEFAULT_DATABASE_URL, DEFAULT_LOG_FILTER, DbTimeouts, Notifications,
    QueryLimits, RateLimits, WebSocketLimits,
};
pub use variables::{Variable, help, list as variables};

impl Config {
    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `lookup`, so tests can supply their own variables.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let config = variables::read(lookup)?;
        config.check()?;
        Ok(config)
    }
}

impl Default for Config {
    /// The development defaults: what runs when nothing is set.
    fn default() -> Self {
        match variables::read(|_| None) {
            Ok(config) => config,
            // The defaults are the literals above; `nothing_set_serves_development_on_sqlite`
            // reads them all.
            Err(err) => unreachable!("a declared default cannot be read: {err}"),
        }
    }
}

impl Default for DbTimeouts {
    fn default() -> Self {
        Config::default().db_timeouts
    }
}

impl Default for QueryLimits {
    fn default() -> Self {
        Config::default().limits
    }
}

impl Default for WebSocketLimits {
    fn default() -> Self {
        Config::default().websocket
    }
}

impl Default for RateLimits {
    fn default() -> Self {
        Config::default().rate_limits
    }
}

impl Default for Notifications {
    fn default() -> Self {
        Config::default().notifications
    }
}

#[cfg(test)]
mod tests;
