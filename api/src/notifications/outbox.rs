//! The outbox: a command tells integrations about its change by calling [`emit`] inside its own
//! transaction. The event and one delivery per subscribed endpoint are written with the change,
//! so none is lost, and none goes out for a change that rolled back.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
pub use entity::outbox_event::WebhookEvent;
use entity::{
    outbox_event,
    prelude::{EventSequence, OutboxEvent, WebhookDelivery, WebhookEndpoint, WebhookEndpointEvent},
    webhook_delivery::{self, DeliveryStatus},
    webhook_endpoint, webhook_endpoint_event,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, TryInsertResult};
use serde_json::json;
use uuid::Uuid;

use crate::{
    db::Tx,
    error::{ApiError, ApiResult},
    holders::Holder,
    ids,
    notifications::audience::{self, Audience},
};

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
    let (audience, audience_account_id, audience_organization_id) = event.audience.columns();
    let row = outbox_event::ActiveModel {
        id: Set(id),
        kind: Set(event.kind),
        subject_id: Set(event.subject_id),
        audience: Set(audience),
        audience_account_id: Set(audience_account_id),
        audience_organization_id: Set(audience_organization_id),
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
    let subject = sequence_subject(&event);
    let sequence = next_sequence(tx, subject.key, now).await?;
    let body = json!({
        "type": event.kind.name(),
        "timestamp": now.to_rfc3339_opts(SecondsFormat::Millis, true),
        "subject": subject.id.to_string(),
        "sequence": sequence,
        "data": event.data,
    })
    .to_string();
    let endpoints = receiving(tx, event.kind, event.audience, event.subject_id).await?;
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
    // A thousand a statement: 13 parameters a delivery stays under SQLite's 32,766.
    for chunk in deliveries.chunks(1_000) {
        WebhookDelivery::insert_many(chunk.iter().cloned())
            .exec_without_returning(tx)
            .await?;
    }
    Ok(Some(id))
}

/// What an event's sequence counts for: the sponsor or member it is about (the holder of its
/// audience), so that a sponsor's `sponsorship.created` and its `membership.approved` are
/// numbered in one series; or else the thing itself (an amendment, an election).
struct SequenceSubject {
    key: Uuid,
    /// Its global ID, as the payload's `subject`.
    id: async_graphql::ID,
}

fn sequence_subject(event: &Event) -> SequenceSubject {
    match event.audience.holder() {
        Some(Holder::Account(key)) => SequenceSubject {
            key,
            id: ids::encode("Account", key),
        },
        Some(Holder::Organization(key)) => SequenceSubject {
            key,
            id: ids::encode("Organization", key),
        },
        None => SequenceSubject {
            key: event.subject_id,
            id: ids::encode(subject_kind(event.kind), event.subject_id),
        },
    }
}

/// The node type of the thing an event is about, for its global ID.
fn subject_kind(kind: WebhookEvent) -> &'static str {
    match kind {
        WebhookEvent::SponsorshipCreated
        | WebhookEvent::SponsorshipRenewed
        | WebhookEvent::SponsorshipTierChanged
        | WebhookEvent::SponsorshipLapsed
        | WebhookEvent::SponsorshipCancelled => "Sponsorship",
        WebhookEvent::MembershipApproved => "Membership",
        WebhookEvent::AmendmentAdopted | WebhookEvent::AmendmentRejected => "Amendment",
        WebhookEvent::ElectionCertified => "Election",
    }
}

/// The next sequence number of events about `subject`, taken in the emitting transaction.
///
/// The subject's row in `event_sequences` is written (so locked) until the transaction ends:
/// another transaction emitting about the same subject waits for it and counts on from its
/// number, so numbers follow the order of commits. The number is the event's time in
/// microseconds, or one more than the last when that is not larger: it grows with each event
/// about the subject and says nothing about how many there were, so a gap does not tell an
/// endpoint that an event it may not read (an undisclosed membership) happened.
async fn next_sequence(tx: &Tx, subject: Uuid, now: DateTime<Utc>) -> ApiResult<i64> {
    use entity::event_sequence::{self, Column};
    use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict};
    let last = Expr::col((EventSequence, Column::Last));
    let proposed = Expr::col((Alias::new("excluded"), Column::Last));
    EventSequence::insert(event_sequence::ActiveModel {
        subject_id: Set(subject),
        last: Set(now.timestamp_micros()),
    })
    .on_conflict(
        OnConflict::column(Column::SubjectId)
            .value(
                Column::Last,
                Expr::case(last.clone().gte(proposed.clone()), last.add(1)).finally(proposed),
            )
            .to_owned(),
    )
    .exec_without_returning(tx)
    .await?;
    EventSequence::find_by_id(subject)
        .one(tx)
        .await?
        .map(|row| row.last)
        .ok_or_else(|| ApiError::internal("the event's sequence row is missing"))
}

/// The endpoints subscribed to `kind` whose owner may read an event for `audience` about
/// `subject` now.
async fn receiving(
    db: &impl ConnectionTrait,
    kind: WebhookEvent,
    audience: Audience,
    subject: Uuid,
) -> ApiResult<Vec<webhook_endpoint::Model>> {
    let subscribed = WebhookEndpoint::find()
        .inner_join(WebhookEndpointEvent)
        .filter(webhook_endpoint_event::Column::Event.eq(kind))
        .all(db)
        .await?;
    if subscribed.is_empty() {
        return Ok(subscribed);
    }
    let public = audience::public_now(db, audience, subject).await?;
    let mut receiving = Vec::with_capacity(subscribed.len());
    for endpoint in subscribed {
        if audience::may_receive(db, &endpoint, audience, public).await? {
            receiving.push(endpoint);
        }
    }
    Ok(receiving)
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
