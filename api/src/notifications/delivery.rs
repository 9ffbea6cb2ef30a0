//! Sending webhook deliveries: claim due ones, sign them (Standard Webhooks), send them, record
//! the outcome. Every replica runs this; on PostgreSQL the claim skips rows another replica has
//! locked (`FOR UPDATE SKIP LOCKED`), so exactly one replica sends each attempt. A claim moves
//! the delivery's next attempt a lease into the future: a replica that dies between claim and
//! send leaves it to be claimed again when the lease runs out, with the same `webhook-id`.

use std::{collections::HashMap, sync::Arc, time::Duration};

use chrono::Utc;
use entity::{
    outbox_event,
    prelude::{OutboxEvent, WebhookDelivery, WebhookEndpoint},
    webhook_delivery::{self, DeliveryStatus},
    webhook_endpoint,
};
use futures_util::future::join_all;
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

fn truncate(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}
