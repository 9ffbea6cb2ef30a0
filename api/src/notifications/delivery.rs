//! Sending webhook deliveries: claim due ones, sign them (Standard Webhooks), send them, record
//! the outcome. Every replica runs this; on PostgreSQL the claim skips rows another replica has
//! locked (`FOR UPDATE SKIP LOCKED`), so exactly one replica sends each attempt. A claim moves
//! the delivery's next attempt a lease into the future: a replica that dies between claim and
//! send leaves it to be claimed again when the lease runs out, with the same `webhook-id`.

use std::{collections::HashMap, sync::Arc, time::Duration};

use chrono::{DateTime, Utc};
use entity::{
    outbox_event,
    prelude::{OutboxEvent, WebhookDelivery, WebhookEndpoint},
    webhook_delivery::{self, DeliveryStatus},
    webhook_endpoint,
};
use futures_util::future::join_all;
use rand::Rng;
use sea_orm::{
    ActiveEnum, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    sea_query::Expr,
};
use uuid::Uuid;

use crate::{
    auth::sealing::ServerSecrets,
    config::Notifications,
    error::ApiResult,
    metrics::Metrics,
    notifications::{
        address::{Reach, resolver},
        audience, endpoints, queue,
    },
};

/// Deliveries one worker claims at a time.
const BATCH: u64 = 16;

/// The longest wait between attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(6 * 3600);

/// The HTTP client that sends webhooks, with the SSRF guard as its resolver, and the key that
/// opens the endpoints' sealed secrets.
#[derive(Clone)]
pub struct Sender {
    client: reqwest::Client,
    reach: Reach,
    secrets: Arc<ServerSecrets>,
}

impl Sender {
    /// A client with the configured time limits, no redirects, no proxy, and the guard of `reach`.
    pub fn new(
        settings: &Notifications,
        reach: Reach,
        secrets: Arc<ServerSecrets>,
    ) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.request_timeout)
            .redirect(reqwest::redirect::Policy::none())
            // A proxy from HTTPS_PROXY and the like would resolve the name itself, past the
            // guarded resolver below.
            .no_proxy()
            .dns_resolver(resolver(reach))
            .user_agent("Quorum-Webhooks/1")
            .build()?;
        Ok(Self {
            client,
            reach,
            secrets,
        })
    }
}

/// A claimed delivery and where it goes.
struct Claimed {
    delivery: webhook_delivery::Model,
    endpoint: webhook_endpoint::Model,
    event: outbox_event::Model,
}

/// How one attempt went.
enum Outcome {
    Delivered(u16),
    Refused { status: Option<u16>, error: String },
}

/// Claims and sends one batch of due deliveries. Returns how many it attempted. Before each
/// send it asks again whether the endpoint's owner may read the event now; one that may not is
/// withheld and never sent.
pub async fn run_once(
    db: &DatabaseConnection,
    sender: &Sender,
    settings: &Notifications,
    metrics: &Metrics,
) -> ApiResult<usize> {
    let claimed = claim(db, settings.lease).await?;
    let count = claimed.len();
    let limit = super::mailer::send_limit(settings.lease);
    let sends = claimed.into_iter().map(|claimed| async move {
        if !audience::deliverable(db, &claimed.endpoint, &claimed.event).await? {
            tracing::info!(delivery = %claimed.delivery.id, "webhook withheld: the endpoint's owner may no longer read the event");
            queue::withhold::<WebhookDelivery>(
                db,
                claimed.delivery.id,
                claimed.delivery.attempts,
                WITHHELD,
            )
            .await?;
            metrics.record_delivery("webhook", "withheld");
            return Ok(());
        }
        // The client's timeout already bounds the request; this bounds everything else too
        // (signing, resolving), so that no attempt outlives its lease.
        let outcome = tokio::time::timeout(limit, send(sender, &claimed))
            .await
            .unwrap_or_else(|_| Outcome::Refused {
                status: None,
                error: "the endpoint did not answer in time".to_owned(),
            });
        record(db, settings, metrics, &claimed.delivery, outcome).await
    });
    for result in join_all(sends).await {
        result?;
    }
    Ok(count)
}

/// Why a delivery was withheld, as its log shows it.
pub const WITHHELD: &str = "withheld: the endpoint's owner may no longer read this event";

/// Claims up to a batch of due deliveries (see [`queue::claim`]), with their endpoints and
/// events.
async fn claim(db: &DatabaseConnection, lease: Duration) -> ApiResult<Vec<Claimed>> {
    let due = queue::claim::<WebhookDelivery>(db, lease, BATCH).await?;
    if due.is_empty() {
        return Ok(Vec::new());
    }
    let endpoints: HashMap<Uuid, webhook_endpoint::Model> = WebhookEndpoint::find()
        .filter(webhook_endpoint::Column::Id.is_in(due.iter().map(|d| d.endpoint_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect();
    let events: HashMap<Uuid, outbox_event::Model> = OutboxEvent::find()
        .filter(outbox_event::Column::Id.is_in(due.iter().map(|d| d.event_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect();
    Ok(due
        .into_iter()
        .filter_map(|delivery| {
            let endpoint = endpoints.get(&delivery.endpoint_id)?.clone();
            let event = events.get(&delivery.event_id)?.clone();
            Some(Claimed {
                delivery,
                endpoint,
                event,
            })
        })
        .collect())
}

/// The `webhook-signature` header: `v1,<signature>` with the current secret, and beside it,
/// space-separated as Standard Webhooks allows, one with the previous secret while its grace
/// period after a rotation lasts, so that a receiver still verifying with it loses nothing.
fn signatures(
    secrets: &ServerSecrets,
    endpoint: &webhook_endpoint::Model,
    id: &str,
    timestamp: i64,
    body: &str,
) -> Result<String, String> {
    let mut sealed = vec![endpoint.secret.as_str()];
    if let (Some(previous), Some(until)) = (
        endpoint.previous_secret.as_deref(),
        endpoint.previous_secret_expires_at,
    ) && Utc::now() < until
    {
        sealed.push(previous);
    }
    let mut signed = Vec::with_capacity(sealed.len());
    for stored in sealed {
        let secret = endpoints::open_secret(secrets, stored)
            .map_err(|err| format!("the endpoint's secret cannot be read: {err}"))?;
        let signer = standardwebhooks::Webhook::new(&secret)
            .map_err(|err| format!("the endpoint's secret is unusable: {err}"))?;
        signed.push(
            signer
                .sign(id, timestamp, body.as_bytes())
                .map_err(|err| format!("cannot sign: {err}"))?,
        );
    }
    Ok(signed.join(" "))
}

/// The `webhook-id` of an event: the same on every attempt and to every endpoint.
pub fn message_id(event_id: Uuid) -> String {
    format!("msg_{}", event_id.simple())
}

/// Signs and sends one attempt.
async fn send(sender: &Sender, claimed: &Claimed) -> Outcome {
    let refused = |error: String| Outcome::Refused {
        status: None,
        error,
    };
    let Some(body) = claimed.delivery.body.as_deref() else {
        return refused("the delivery has no body to send".to_owned());
    };
    // Checked again at each delivery: the literal address here, names in the resolver.
    let url = match sender.reach.parse(&claimed.endpoint.url, "url") {
        Ok(url) => url,
        Err(err) => return refused(err.to_string()),
    };
    let id = message_id(claimed.delivery.event_id);
    let timestamp = Utc::now().timestamp();
    let signature = match signatures(&sender.secrets, &claimed.endpoint, &id, timestamp, body) {
        Ok(signature) => signature,
        Err(err) => return refused(err),
    };
    let response = sender
        .client
        .post(url)
        .header("content-type", "application/json")
        .header("webhook-id", id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(body.to_owned())
        .send()
        .await;
    match response {
        Ok(response) if response.status().is_success() => {
            Outcome::Delivered(response.status().as_u16())
        }
        Ok(response) => Outcome::Refused {
            status: Some(response.status().as_u16()),
            error: format!("the endpoint answered {}", response.status()),
        },
        Err(err) if err.is_timeout() => refused("the endpoint did not answer in time".to_owned()),
        Err(err) if err.is_connect() => refused(format!("cannot connect: {}", source_of(&err))),
        Err(err) => refused(format!("the request failed: {}", source_of(&err))),
    }
}

/// The innermost cause of an error: reqwest's own message says little.
fn source_of(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = err;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// Records an attempt, if the claim is still this worker's (its attempt count unchanged).
async fn record(
    db: &impl ConnectionTrait,
    settings: &Notifications,
    metrics: &Metrics,
    delivery: &webhook_delivery::Model,
    outcome: Outcome,
) -> ApiResult<()> {
    let update = queue::still_claimed::<WebhookDelivery>(delivery.id, delivery.attempts);
    let (update, label) = match outcome {
        Outcome::Delivered(status) => (
            update
                .col_expr(
                    webhook_delivery::Column::Status,
                    Expr::value(DeliveryStatus::Succeeded.to_value()),
                )
                .col_expr(
                    webhook_delivery::Column::LastStatusCode,
                    Expr::value(i32::from(status)),
                )
                .col_expr(
                    webhook_delivery::Column::LastError,
                    Expr::value(Option::<String>::None),
                )
                .col_expr(
                    webhook_delivery::Column::DeliveredAt,
                    Expr::value(Utc::now()),
                )
                // The body is not kept once delivered.
                .col_expr(
                    webhook_delivery::Column::Body,
                    Expr::value(Option::<String>::None),
                ),
            "succeeded",
        ),
        Outcome::Refused { status, error } => {
            let update = update
                .col_expr(
                    webhook_delivery::Column::LastStatusCode,
                    Expr::value(status.map(i32::from)),
                )
                .col_expr(
                    webhook_delivery::Column::LastError,
                    Expr::value(truncate(&error, 500)),
                );
            queue::after_failure(update, settings, delivery.attempts, delivery.id, &error)?
        }
    };
    update.exec(db).await?;
    metrics.record_delivery("webhook", label);
    Ok(())
}

/// The wait before the next attempt after `attempts` failed ones: the base doubled for each,
/// up to six hours, then a random share of it between a half and all of it, so that retries to
/// one receiver spread out.
pub fn backoff(base: Duration, attempts: i32) -> Duration {
    let doublings = Ord::min(u32::try_from(attempts.saturating_sub(1)).unwrap_or(0), 20);
    let full = base.saturating_mul(1 << doublings).min(MAX_BACKOFF);
    full.mul_f64(rand::thread_rng().gen_range(0.5..=1.0))
}

fn truncate(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
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
