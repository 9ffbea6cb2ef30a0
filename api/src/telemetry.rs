//! Structured logging through `tracing`: text in development, JSON in production.

use tracing_subscriber::{EnvFilter, fmt, prelude::*};

use crate::config::DEFAULT_LOG_FILTER;

/// Installs the global subscriber, filtering by `filter` (`RUST_LOG`). A filter that cannot be
/// read is replaced by the default, as a log must start even then; the first line says so.
pub fn init(json: bool, filter: &str) {
    let (filter, unreadable) = match EnvFilter::try_new(filter) {
        Ok(filter) => (filter, None),
        Err(err) => (EnvFilter::new(DEFAULT_LOG_FILTER), Some(err)),
    };
    let registry = tracing_subscriber::registry().with(filter);
    // Each request runs inside a span carrying its `request_id`, so every line logged while
    // serving it names the request.
    if json {
        registry
            .with(
                fmt::layer()
                    .json()
                    .with_current_span(true)
                    .with_span_list(false),
            )
            .init();
    } else {
        registry.with(fmt::layer()).init();
    }
    if let Some(err) = unreadable {
        tracing::warn!(error = %err, "RUST_LOG cannot be read; logging with the default filter");
    }
}
