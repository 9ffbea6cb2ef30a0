//! The outbox: a command tells integrations about its change by calling [`emit`] inside its own
//! transaction. The event and one delivery per subscribed endpoint are written with the change,
//! so none is lost, and none goes out for a change that rolled back.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
pub use entity::outbox_event::WebhookEvent;
use entity::{
    outbox_event,
    prelude::{OutboxEvent, WebhookDelivery, WebhookEndpoint},
    webhook_delivery::{self, DeliveryStatus},
    webhook_endpoint,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, TryInsertResult,
    sea_query::Condition,
};
use serde_json::json;
use uuid::Uuid;

use crate::{db::Tx, error::ApiResult, holders::Holder, ids};

/// Who may receive an event besides the foundation's own endpoints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    /// Anyone may know it: every subscribed endpoint receives it.
    Public,
    /// Only the holder may (a sponsor that withdrew consent, an undisclosed member): the
    /// endpoints of that organization, and the foundation's, receive it; no one else's does.
    Holder(Holder),
}

impl Audience {
    /// Public when `shown`, otherwise the holder's alone.
    pub fn shown_or(shown: bool, holder: Holder) -> Self {
        if shown {
            Self::Public
        } else {
            Self::Holder(holder)
        }
    }
}

/// An event to tell integrations.
pub struct Event {
    pub kind: WebhookEvent,
    /// The thing it is about: its key, which `data` also names by global ID.
    pub subject_id: Uuid,
    /// The payload's `data`: only what every endpoint in the audience may read.
    pub data: serde_json::Value,
    pub audience: Audience,
    /// For a dated event, the day it is about: with the kind and the subject it makes the
    /// event happen once, however often the scheduler runs.
    pub on: Option<NaiveDate>,
}

/// Writes the event and its deliveries in the caller's transaction. Returns the event's id
/// (its `webhook-id`), or `None` when this dated event was already written.
pub async fn emit(tx: &Tx, event: Event) -> ApiResult<Option<Uuid>> {
    let id = ids::new_key();
    let now = Utc::now();
    let dedup_key = event
        .on
        .map(|day| format!("{}:{}:{day}", event.kind.name(), event.subject_id));
    let audience = match event.audience {
        Audience::Public => None,
        Audience::Holder(holder) => Some(holder.key()),
    };
    let row = outbox_event::ActiveModel {
        id: Set(id),
        kind: Set(event.kind),
        subject_id: Set(event.subject_id),
        audience: Set(audience),
        dedup_key: Set(dedup_key),
        occurred_at: Set(now),
    };
    let inserted = OutboxEvent::insert(row)
        .on_conflict_do_nothing_on([outbox_event::Column::DedupKey])
        .exec(tx)
        .await?;
    if !matches!(inserted, TryInsertResult::Inserted(_)) {
        return Ok(None);
    }
    let body = json!({
        "type": event.kind.name(),
        "timestamp": now.to_rfc3339_opts(SecondsFormat::Millis, true),
        "data": event.data,
    })
    .to_string();
    let endpoints = receiving(tx, event.kind, event.audience).await?;
    let deliveries: Vec<_> = endpoints
        .into_iter()
        .map(|endpoint| webhook_delivery::ActiveModel {
            id: Set(ids::new_key()),
            endpoint_id: Set(endpoint.id),
            event_id: Set(id),
            event_kind: Set(event.kind),
            status: Set(DeliveryStatus::Pending),
            attempts: Set(0),
            next_attempt_at: Set(now),
            body: Set(Some(body.clone())),
            last_status_code: Set(None),
            last_error: Set(None),
            last_attempt_at: Set(None),
            created_at: Set(now),
            delivered_at: Set(None),
        })
        .collect();
    if !deliveries.is_empty() {
        WebhookDelivery::insert_many(deliveries).exec(tx).await?;
    }
    Ok(Some(id))
}

/// The endpoints subscribed to `kind` that may see an event for `audience`.
async fn receiving(
    db: &impl ConnectionTrait,
    kind: WebhookEvent,
    audience: Audience,
) -> ApiResult<Vec<webhook_endpoint::Model>> {
    let owners = match audience {
        Audience::Public => Condition::all(),
        Audience::Holder(Holder::Organization(id)) => Condition::any()
            .add(webhook_endpoint::Column::OrganizationId.is_null())
            .add(webhook_endpoint::Column::OrganizationId.eq(id)),
        Audience::Holder(Holder::Account(_)) => {
            Condition::all().add(webhook_endpoint::Column::OrganizationId.is_null())
        }
    };
    let name = kind.name();
    Ok(WebhookEndpoint::find()
        .filter(owners)
        .all(db)
        .await?
        .into_iter()
        .filter(|endpoint| subscribed(&endpoint.events, &name))
        .collect())
}

/// Whether an endpoint's stored event list names `event`.
pub fn subscribed(events: &str, event: &str) -> bool {
    events.split(',').any(|listed| listed == event)
}

/// An instant as payloads write it.
pub fn instant(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Tells integrations that an election's result was certified: one call for the command that
/// certifies, inside its transaction. `data` names the election and who was elected, by global
/// ID; an election's result is public.
pub async fn election_certified(
    tx: &Tx,
    election_id: Uuid,
    data: serde_json::Value,
) -> ApiResult<()> {
    emit(
        tx,
        Event {
            kind: WebhookEvent::ElectionCertified,
            subject_id: election_id,
            data,
            audience: Audience::Public,
            on: None,
        },
    )
    .await?;
    Ok(())
}
