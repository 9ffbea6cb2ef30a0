//! `ApiError`: the one error type of the API, each variant with a stable `extensions.code`.

use std::sync::Arc;

use async_graphql::{ErrorExtensionValues, ServerError, Value};
use sea_orm::{DbErr, SqlErr};

/// The codes clients can rely on, as listed in API.md.
pub mod code {
    pub const UNAUTHENTICATED: &str = "UNAUTHENTICATED";
    pub const FORBIDDEN: &str = "FORBIDDEN";
    pub const NOT_FOUND: &str = "NOT_FOUND";
    pub const BAD_USER_INPUT: &str = "BAD_USER_INPUT";
    pub const CONFLICT: &str = "CONFLICT";
    pub const RATE_LIMITED: &str = "RATE_LIMITED";
    pub const INTERNAL_SERVER_ERROR: &str = "INTERNAL_SERVER_ERROR";
    pub const SERVICE_UNAVAILABLE: &str = "SERVICE_UNAVAILABLE";
    pub const GRAPHQL_PARSE_FAILED: &str = "GRAPHQL_PARSE_FAILED";
    pub const GRAPHQL_VALIDATION_FAILED: &str = "GRAPHQL_VALIDATION_FAILED";
    pub const QUERY_TOO_COMPLEX: &str = "QUERY_TOO_COMPLEX";
    /// A request named a trusted document that no client registered.
    pub const PERSISTED_QUERY_NOT_FOUND: &str = "PERSISTED_QUERY_NOT_FOUND";
    /// A request sent a query where `QUORUM_TRUSTED_DOCUMENTS=require` takes only documents.
    pub const PERSISTED_QUERY_REQUIRED: &str = "PERSISTED_QUERY_REQUIRED";
}

/// The message an internal failure shows to clients; the cause goes to the log only.
pub const INTERNAL_MESSAGE: &str = "Internal server error.";

/// A message as a person reads it: one sentence, starting with a capital and ending with a full
/// stop, with no code formatting. Messages are written that way; this keeps a stray one so.
pub fn sentence(message: &str) -> String {
    let text = message.trim().replace('`', "");
    let mut chars = text.chars();
    let mut out: String = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => return text,
    };
    if !out.ends_with(['.', '?', '!']) {
        out.push('.');
    }
    out
}

/// Every failure a resolver can report.
#[derive(Clone, Debug, thiserror::Error)]
pub enum ApiError {
    /// No valid credentials, or credentials that are malformed, forged, revoked or expired.
    #[error("{0}")]
    Unauthenticated(String),
    /// Authenticated, but not allowed to do this.
    #[error("{0}")]
    Forbidden(String),
    /// The thing does not exist, or the viewer may not know that it does. Holds what it is in
    /// words, e.g. "amendment".
    #[error("This {0} does not exist, or you may not see it.")]
    NotFound(String),
    /// One input field is wrong; `field` is its path in the input, e.g. `input.email`.
    #[error("{message}")]
    BadUserInput { field: String, message: String },
    /// A duplicate, or a state change that is not allowed now.
    #[error("{0}")]
    Conflict(String),
    /// An audit entry committed but not yet sealed into the Merkle tree log, so it has no
    /// inclusion proof yet: `CONFLICT` with `extensions.reason` `NOT_YET_SEALED`. The sealer
    /// seals it within `QUORUM_LOG_SEAL_INTERVAL_MS` (500 ms by default); ask again then.
    #[error("The audit entry is not sealed into the log yet; ask again in a second.")]
    NotYetSealed,
    /// Too many attempts; the client should wait `retry_after_secs`.
    #[error("Too many attempts; try again in {retry_after_secs} seconds.")]
    RateLimited { retry_after_secs: u64 },
    /// The database cannot be reached, or no connection freed up in time: worth retrying. The
    /// cause is logged and never shown to the client.
    #[error("The service is unavailable for a moment; try again.")]
    Unavailable(#[source] Arc<dyn std::error::Error + Send + Sync>),
    /// A fault of the server. The cause is logged and never shown to the client.
    #[error("internal error: {0}")]
    Internal(#[source] Arc<dyn std::error::Error + Send + Sync>),
}

/// What resolvers return.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Self::Unauthenticated(message.into())
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::Forbidden(message.into())
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        Self::NotFound(what.into())
    }

    pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::BadUserInput {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::Conflict(message.into())
    }

    pub fn internal(cause: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::Internal(Arc::from(cause.into()))
    }

    /// The stable code sent as `extensions.code`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthenticated(_) => code::UNAUTHENTICATED,
            Self::Forbidden(_) => code::FORBIDDEN,
            Self::NotFound(_) => code::NOT_FOUND,
            Self::BadUserInput { .. } => code::BAD_USER_INPUT,
            Self::Conflict(_) | Self::NotYetSealed => code::CONFLICT,
            Self::RateLimited { .. } => code::RATE_LIMITED,
            Self::Unavailable(_) => code::SERVICE_UNAVAILABLE,
            Self::Internal(_) => code::INTERNAL_SERVER_ERROR,
        }
    }

    /// The message and extensions a client sees.
    pub(crate) fn client_view(&self) -> (String, ErrorExtensionValues) {
        let mut extensions = ErrorExtensionValues::default();
        extensions.set("code", self.code());
        let message = match self {
            Self::Internal(_) => INTERNAL_MESSAGE.to_owned(),
            Self::BadUserInput { field, .. } => {
                extensions.set("field", field.as_str());
                self.to_string()
            }
            Self::RateLimited { retry_after_secs } => {
                extensions.set("retryAfterSeconds", *retry_after_secs);
                self.to_string()
            }
            Self::NotYetSealed => {
                extensions.set("reason", "NOT_YET_SEALED");
                self.to_string()
            }
            Self::NotFound(what) => {
                extensions.set(
                    "reason",
                    format!("{}_NOT_FOUND", what.to_uppercase().replace(' ', "_")),
                );
                self.to_string()
            }
            _ => self.to_string(),
        };
        (sentence(&message), extensions)
    }
}

impl From<DbErr> for ApiError {
    fn from(err: DbErr) -> Self {
        if let DbErr::Type(detail) = &err {
            // A stored state no variant matches: corruption, never shown as a default.
            tracing::error!(detail = %detail, "a stored value matches no known state");
        }
        if is_unavailable(&err) {
            return Self::Unavailable(Arc::new(err));
        }
        Self::Internal(Arc::new(err))
    }
}

/// Whether a database error means the database is out of reach (down, restarting, the link cut,
/// the pool exhausted) rather than a fault in what we asked of it.
pub fn is_unavailable(err: &DbErr) -> bool {
    use sea_orm::{RuntimeErr, sqlx::Error as Sqlx};
    match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(inner)) | DbErr::Query(RuntimeErr::SqlxError(inner)) => {
            match inner.as_ref() {
                Sqlx::Io(_) | Sqlx::PoolTimedOut | Sqlx::PoolClosed | Sqlx::WorkerCrashed => true,
                // PostgreSQL's lock_timeout (55P03) and statement_timeout (57014): another
                // transaction holds what this one needs for too long. Worth retrying.
                // SQLite's SQLITE_BUSY (5) and SQLITE_LOCKED (6): another writer held the
                // database past the busy timeout.
                Sqlx::Database(db) => {
                    matches!(db.code().as_deref(), Some("55P03" | "57014" | "5" | "6"))
                }
                _ => false,
            }
        }
        _ => false,
    }
}

/// Reads one row by id, naming its table and id in the log when a stored value is corrupt (a
/// state that no enum variant matches), which is internal. Any other database error is what
/// [`ApiError::from`] makes of it: a database out of reach is `SERVICE_UNAVAILABLE`, as on every
/// other read. Use it wherever a row is loaded by its key.
pub fn corrupt_row(
    table: &'static str,
    id: impl std::fmt::Display,
) -> impl FnOnce(DbErr) -> ApiError {
    move |err| {
        if let DbErr::Type(detail) = &err {
            tracing::error!(table, id = %id, detail = %detail, "a stored row holds an unknown state");
            return ApiError::Internal(Arc::new(err));
        }
        // Anything else is the database's answer, not the row's: out of reach is worth a retry.
        ApiError::from(err)
    }
}

impl From<async_graphql::Error> for ApiError {
    /// The engine's own errors inside a resolver, such as missing request data: our fault.
    fn from(err: async_graphql::Error) -> Self {
        Self::internal(err.message)
    }
}

/// Maps a unique-constraint violation to `conflict`, and any other database error to internal.
///
/// Use it where an insert or update can collide with an existing row, so that a race ends in
/// `CONFLICT` rather than an internal error.
pub fn on_unique_violation(err: DbErr, conflict: impl FnOnce() -> ApiError) -> ApiError {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => conflict(),
        _ => ApiError::from(err),
    }
}

/// Sets `extensions.code`, keeping any other extensions.
pub fn set_code(error: &mut ServerError, code: &'static str) {
    error
        .extensions
        .get_or_insert_with(ErrorExtensionValues::default)
        .set("code", Value::from(code));
}

/// The code of an error already shaped, for metrics and logs.
pub fn code_of(error: &ServerError) -> &str {
    match error.extensions.as_ref().and_then(|ext| ext.get("code")) {
        Some(Value::String(code)) => code,
        _ => code::INTERNAL_SERVER_ERROR,
    }
}
