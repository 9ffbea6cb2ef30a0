//! Brute-force protection: log-in attempts limited per account and per client address, and
//! sign-ups per client address.
//!
//! The counters live in the database (`rate_limits`), so a limit holds across every replica
//! behind a load balancer. Each key counts attempts in a fixed window that starts with its first
//! attempt; one upsert both counts and reads, so concurrent attempts cannot both slip under the
//! quota.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

use crate::{
    config::RateLimits,
    error::{ApiError, ApiResult},
};

/// One limit: so many attempts per window.
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    /// What is limited, the first part of each counter's key.
    pub name: &'static str,
    pub attempts: u32,
    pub window: Duration,
}

impl Limit {
    /// Log-in attempts per account (`QUORUM_LOG_INS_PER_ACCOUNT`, default 10 a minute).
    pub fn log_in_per_account(config: &RateLimits) -> Self {
        Self {
            name: "log-in:account",
            attempts: config.log_ins_per_account,
            window: MINUTE,
        }
    }

    /// Log-in attempts per client address (`QUORUM_LOG_INS_PER_ADDRESS`, default 30 a minute).
    pub fn log_in_per_address(config: &RateLimits) -> Self {
        Self {
            name: "log-in:address",
            attempts: config.log_ins_per_address,
            window: MINUTE,
        }
    }

    /// Sign-ups per client address (`QUORUM_SIGN_UPS_PER_ADDRESS`, default 10 an hour). A
    /// sign-up still tells whether an email is registered (it must refuse a taken one); this
    /// limit keeps that signal to a trickle.
    pub fn sign_up_per_address(config: &RateLimits) -> Self {
        Self {
            name: "sign-up:address",
            attempts: config.sign_ups_per_address,
            window: HOUR,
        }
    }
}

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);

/// Counts an attempt against each `(limit, subject)` and refuses with `RATE_LIMITED` when any is
/// over its quota. Every attempt counts, refused ones too, so hammering does not help.
pub async fn check(db: &DatabaseConnection, attempts: &[(Limit, &str)]) -> ApiResult<()> {
    let now = Utc::now();
    let mut wait = None;
    for (limit, subject) in attempts {
        let key = format!("{}:{}", limit.name, subject.to_lowercase());
        let (count, started) = count_attempt(db, &key, limit.window, now).await?;
        if count > i64::from(limit.attempts) {
            let window = chrono::Duration::from_std(limit.window).unwrap_or_default();
            let seconds = (started + window - now).num_seconds().max(1);
            wait = Some(wait.map_or(seconds, |w: i64| w.max(seconds)));
        }
    }
    match wait {
        Some(seconds) => Err(ApiError::RateLimited {
            retry_after_secs: u64::try_from(seconds).unwrap_or(1),
        }),
        None => Ok(()),
    }
}

/// Adds one attempt to `key`'s window, starting a new window when the last one is over, and
/// returns the attempts so far and when the window started.
async fn count_attempt(
    db: &DatabaseConnection,
    key: &str,
    window: Duration,
    now: DateTime<Utc>,
) -> ApiResult<(i64, DateTime<Utc>)> {
    let expired = now - chrono::Duration::from_std(window).unwrap_or_default();
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "INSERT INTO rate_limits (key, window_started_at, attempts) VALUES ($1, $2, 1) \
             ON CONFLICT (key) DO UPDATE SET \
               attempts = CASE WHEN rate_limits.window_started_at <= $3 THEN 1 ELSE rate_limits.attempts + 1 END, \
               window_started_at = CASE WHEN rate_limits.window_started_at <= $3 THEN $2 ELSE rate_limits.window_started_at END \
             RETURNING CAST(attempts AS BIGINT) AS attempts, window_started_at"
        }
        _ => {
            "INSERT INTO rate_limits (key, window_started_at, attempts) VALUES (?1, ?2, 1) \
             ON CONFLICT (key) DO UPDATE SET \
               attempts = CASE WHEN rate_limits.window_started_at <= ?3 THEN 1 ELSE rate_limits.attempts + 1 END, \
               window_started_at = CASE WHEN rate_limits.window_started_at <= ?3 THEN ?2 ELSE rate_limits.window_started_at END \
             RETURNING CAST(attempts AS BIGINT) AS attempts, window_started_at"
        }
    };
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [key.into(), now.into(), expired.into()],
        ))
        .await?
        .ok_or_else(|| ApiError::internal("the rate-limit upsert returned no row"))?;
    let attempts: i64 = row.try_get("", "attempts")?;
    let started: DateTime<Utc> = row.try_get("", "window_started_at")?;
    Ok((attempts, started))
}

/// Deletes counters whose window ended long ago, so the table stays small.
pub async fn forget_old(db: &DatabaseConnection) -> ApiResult<()> {
    let before = Utc::now() - chrono::Duration::from_std(HOUR).unwrap_or_default();
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => "DELETE FROM rate_limits WHERE window_started_at < $1",
        _ => "DELETE FROM rate_limits WHERE window_started_at < ?",
    };
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        sql,
        [before.into()],
    ))
    .await?;
    Ok(())
}
