//! What the two outboxes (webhook deliveries and mail) share: claiming due rows under a lease,
//! the conditional update that records an attempt only while the claim is still this worker's,
//! and what a failed attempt leads to.
//!
//! A claim moves a row's next attempt a lease into the future and counts the attempt, in a
//! transaction that holds the rows (on PostgreSQL skipping rows another worker holds, `FOR
//! UPDATE SKIP LOCKED`), so no two workers claim the same attempt; a worker that dies leaves
//! the row to be claimed again when the lease runs out.

use std::time::Duration;

use chrono::{DateTime, Utc};
use entity::{
    email_message::{self, MailStatus},
    prelude::{EmailMessage, WebhookDelivery},
    webhook_delivery::{self, DeliveryStatus},
};
use rand::Rng;
use sea_orm::{
    ActiveEnum, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, UpdateMany, Value,
    sea_query::{Expr, ExprTrait, LockBehavior, LockType},
};
use uuid::Uuid;

use crate::{
    config::Notifications,
    db::begin_bookkeeping,
    error::{ApiError, ApiResult},
};

/// The longest wait between attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(6 * 3600);

/// An outbox table: its columns and states, as the shared claim needs them.
pub trait Queue: EntityTrait {
    fn id() -> Self::Column;
    fn status() -> Self::Column;
    fn next_attempt_at() -> Self::Column;
    fn attempts() -> Self::Column;
    /// The content sent, dropped once it is sent or withheld.
    fn body() -> Self::Column;
    fn last_error() -> Self::Column;
    fn pending() -> Value;
    fn failed() -> Value;
    fn withheld() -> Value;
    fn key(row: &Self::Model) -> Uuid;
    fn attempts_of(row: &mut Self::Model) -> &mut i32;
    /// What else a claim records (a webhook's time of attempt).
    fn claimed_at(update: UpdateMany<Self>, _now: DateTime<Utc>) -> UpdateMany<Self> {
        update
    }
}

impl Queue for WebhookDelivery {
    fn id() -> Self::Column {
        webhook_delivery::Column::Id
    }
    fn status() -> Self::Column {
        webhook_delivery::Column::Status
    }
    fn next_attempt_at() -> Self::Column {
        webhook_delivery::Column::NextAttemptAt
    }
    fn attempts() -> Self::Column {
        webhook_delivery::Column::Attempts
    }
    fn body() -> Self::Column {
        webhook_delivery::Column::Body
    }
    fn last_error() -> Self::Column {
        webhook_delivery::Column::LastError
    }
    fn pending() -> Value {
        DeliveryStatus::Pending.to_value().into()
    }
    fn failed() -> Value {
        DeliveryStatus::Failed.to_value().into()
    }
    fn withheld() -> Value {
        DeliveryStatus::Withheld.to_value().into()
    }
    fn key(row: &Self::Model) -> Uuid {
        row.id
    }
    fn attempts_of(row: &mut Self::Model) -> &mut i32 {
        &mut row.attempts
    }
    fn claimed_at(update: UpdateMany<Self>, now: DateTime<Utc>) -> UpdateMany<Self> {
        update.col_expr(webhook_delivery::Column::LastAttemptAt, Expr::value(now))
    }
}

impl Queue for EmailMessage {
    fn id() -> Self::Column {
        email_message::Column::Id
    }
    fn status() -> Self::Column {
        email_message::Column::Status
    }
    fn next_attempt_at() -> Self::Column {
        email_message::Column::NextAttemptAt
    }
    fn attempts() -> Self::Column {
        email_message::Column::Attempts
    }
    fn body() -> Self::Column {
        email_message::Column::Body
    }
    fn last_error() -> Self::Column {
        email_message::Column::LastError
    }
    fn pending() -> Value {
        MailStatus::Pending.to_value().into()
    }
    fn failed() -> Value {
        MailStatus::Failed.to_value().into()
    }
    fn withheld() -> Value {
        MailStatus::Withheld.to_value().into()
    }
    fn key(row: &Self::Model) -> Uuid {
        row.id
    }
    fn attempts_of(row: &mut Self::Model) -> &mut i32 {
        &mut row.attempts
    }
}

/// Claims up to `batch` due rows: each gets one more attempt counted and its next attempt moved
/// a lease ahead. Returns them as claimed (attempts counted).
pub async fn claim<Q: Queue>(
    db: &DatabaseConnection,
    lease: Duration,
    batch: u64,
) -> ApiResult<Vec<Q::Model>> {
    let now = Utc::now();
    let due = || {
        Q::find()
            .filter(Q::status().eq(Q::pending()))
            .filter(Q::next_attempt_at().lte(now))
    };
    // A plain read first: an idle worker polls without ever taking a write lock.
    if due().one(db).await?.is_none() {
        return Ok(Vec::new());
    }
    // Bookkeeping only: a claim must not make any replica's public cache stale.
    let tx = begin_bookkeeping(db).await?;
    let rows = due()
        .order_by_asc(Q::next_attempt_at())
        .limit(batch)
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .all(&tx)
        .await?;
    if rows.is_empty() {
        tx.rollback().await?;
        return Ok(rows);
    }
    let until = now + chrono::Duration::from_std(lease).map_err(ApiError::internal)?;
    let update = Q::update_many()
        .col_expr(Q::next_attempt_at(), Expr::value(until))
        .col_expr(Q::attempts(), Expr::col(Q::attempts()).add(1))
        .filter(Q::id().is_in(rows.iter().map(Q::key)));
    Q::claimed_at(update, now).exec(&tx).await?;
    tx.commit().await?;
    Ok(rows
        .into_iter()
        .map(|mut row| {
            *Q::attempts_of(&mut row) += 1;
            row
        })
        .collect())
}

/// The update of a claimed row that takes effect only while the claim is still this worker's:
/// the row still pending, its attempt count unchanged.
pub fn still_claimed<Q: Queue>(key: Uuid, attempts: i32) -> UpdateMany<Q> {
    Q::update_many()
        .filter(Q::id().eq(key))
        .filter(Q::status().eq(Q::pending()))
        .filter(Q::attempts().eq(attempts))
}

/// Marks a claimed row withheld: not sent, and never to be; its content is dropped.
pub async fn withhold<Q: Queue>(
    db: &DatabaseConnection,
    key: Uuid,
    attempts: i32,
    why: &str,
) -> ApiResult<()> {
    still_claimed::<Q>(key, attempts)
        .col_expr(Q::status(), Expr::value(Q::withheld()))
        .col_expr(Q::body(), Expr::value(Option::<String>::None))
        .col_expr(Q::last_error(), Expr::value(why.to_owned()))
        .exec(db)
        .await?;
    Ok(())
}

/// Adds to `update` what a failed attempt (the `attempts`th) leads to: at the configured
/// maximum the row fails for good, otherwise it is retried after a backoff. Returns the update
/// and the outcome's metrics label, `failed` or `retrying`.
pub fn after_failure<Q: Queue>(
    update: UpdateMany<Q>,
    settings: &Notifications,
    attempts: i32,
    key: Uuid,
    error: &str,
) -> ApiResult<(UpdateMany<Q>, &'static str)> {
    if u32::try_from(attempts).unwrap_or(u32::MAX) >= settings.max_attempts {
        tracing::warn!(table = Q::default().table_name(), row = %key, error = %error, "giving up after the last attempt");
        return Ok((
            update.col_expr(Q::status(), Expr::value(Q::failed())),
            "failed",
        ));
    }
    let wait = backoff(settings.retry_base, attempts);
    let next = Utc::now() + chrono::Duration::from_std(wait).map_err(ApiError::internal)?;
    tracing::info!(table = Q::default().table_name(), row = %key, error = %error, retry_at = %next, "the attempt failed; will retry");
    Ok((
        update.col_expr(Q::next_attempt_at(), Expr::value(next)),
        "retrying",
    ))
}

/// The wait before the next attempt after `attempts` failed ones: the base doubled for each,
/// up to six hours, then a random share of it between a half and all of it, so that retries to
/// one receiver spread out.
pub fn backoff(base: Duration, attempts: i32) -> Duration {
    let doublings = Ord::min(u32::try_from(attempts.saturating_sub(1)).unwrap_or(0), 20);
    let full = base.saturating_mul(1 << doublings).min(MAX_BACKOFF);
    full.mul_f64(rand::thread_rng().gen_range(0.5..=1.0))
}

/// Whether a worker holds `row` now: its claim set `last_attempt_at` to the claim's time and
/// `next_attempt_at` exactly a lease later, and the lease has not run out. (After an attempt,
/// `next_attempt_at` is the attempt's end plus a jittered backoff, never that instant.)
pub fn held_by_a_worker(
    row: &webhook_delivery::Model,
    lease: Duration,
    now: DateTime<Utc>,
) -> bool {
    let Ok(lease) = chrono::Duration::from_std(lease) else {
        return false;
    };
    row.status == DeliveryStatus::Pending
        && row.next_attempt_at > now
        && row.last_attempt_at.is_some_and(|claimed| {
            (row.next_attempt_at - claimed - lease).abs() < chrono::Duration::milliseconds(1)
        })
}

/// Makes a delivery that waits out its backoff due now, its count of attempts kept. The update
/// holds only if the row is still as `row` was read (no worker claimed it since), so it never
/// sends an attempt twice at once.
pub async fn hasten(db: &impl ConnectionTrait, row: &webhook_delivery::Model) -> ApiResult<bool> {
    let done = WebhookDelivery::update_many()
        .col_expr(
            webhook_delivery::Column::NextAttemptAt,
            Expr::value(Utc::now()),
        )
        .filter(webhook_delivery::Column::Id.eq(row.id))
        .filter(webhook_delivery::Column::Status.eq(DeliveryStatus::Pending))
        .filter(webhook_delivery::Column::Attempts.eq(row.attempts))
        .filter(webhook_delivery::Column::NextAttemptAt.eq(row.next_attempt_at))
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Sends a failed delivery again: back to `PENDING`, due now, with a fresh count of attempts.
/// Only a `FAILED` one can be; its body is still kept.
pub async fn requeue(db: &impl ConnectionTrait, id: Uuid) -> ApiResult<bool> {
    let done = WebhookDelivery::update_many()
        .col_expr(
            webhook_delivery::Column::Status,
            Expr::value(DeliveryStatus::Pending.to_value()),
        )
        .col_expr(webhook_delivery::Column::Attempts, Expr::value(0))
        .col_expr(
            webhook_delivery::Column::NextAttemptAt,
            Expr::value(Utc::now()),
        )
        .filter(webhook_delivery::Column::Id.eq(id))
        .filter(webhook_delivery::Column::Status.eq(DeliveryStatus::Failed))
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_retries_span_about_a_day() {
        let settings = Notifications::default();
        let attempts = i32::try_from(settings.max_attempts).unwrap_or(i32::MAX);
        let least: Duration = (1..attempts).map(|n| backoff(settings.retry_base, n)).sum();
        assert!(least >= Duration::from_secs(12 * 3600), "{least:?}");
        assert!(least <= Duration::from_secs(27 * 3600), "{least:?}");
    }

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let base = Duration::from_secs(30);
        for attempts in 1..=12 {
            let wait = backoff(base, attempts);
            let full = base.saturating_mul(1 << (attempts - 1)).min(MAX_BACKOFF);
            assert!(wait >= full / 2 && wait <= full, "{attempts}: {wait:?}");
        }
        assert!(backoff(base, 40) <= MAX_BACKOFF);
    }
}
