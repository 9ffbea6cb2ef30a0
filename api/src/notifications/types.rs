//! The `WebhookEndpoint` and `WebhookDelivery` GraphQL types. An endpoint's secret is never
//! readable after it is made.

use async_graphql::{Context, ID, Object};
use entity::{
    outbox_event::WebhookEvent,
    webhook_delivery::{self, DeliveryStatus},
    webhook_endpoint::{self, WebhookAudience},
};

use crate::{
    error::ApiResult,
    ids::{self, NodeKind},
    loaders::{cached_loader, loader},
    notifications::{
        delivery::message_id,
        loader::{DeliveriesLoader, EventsLoader},
    },
    organizations::{loader::OrganizationLoader, types::Organization},
    pagination::{PageArgs, assemble, cost},
    time::DateTime,
};

/// An endpoint row, wrapped so that no column (above all the secret) becomes API by accident.
#[derive(Clone, Debug)]
pub struct WebhookEndpoint(pub webhook_endpoint::Model);

impl NodeKind for WebhookEndpoint {
    const KIND: &'static str = "WebhookEndpoint";
}

/// Where an integration receives signed events (Standard Webhooks).
#[Object]
impl WebhookEndpoint {
    /// The endpoint's opaque global ID.
    pub async fn id(&self) -> ID {
        ids::id_of::<Self>(self.0.id)
    }

    /// The URL events are sent to with `POST`.
    async fn url(&self) -> &str {
        &self.0.url
    }

    /// The events it receives.
    async fn events(&self, ctx: &Context<'_>) -> ApiResult<Vec<WebhookEvent>> {
        Ok(loader::<EventsLoader>(ctx)?
            .load_one(self.0.id)
            .await?
            .unwrap_or_default())
    }

    /// What it may receive: `PUBLIC` events only, or also what its creator's right reaches
    /// (`ORGANIZATION`, `ADMIN`), checked again at each delivery.
    async fn audience(&self) -> WebhookAudience {
        self.0.audience
    }

    /// The organization that owns it; null for the foundation's own endpoints.
    async fn organization(&self, ctx: &Context<'_>) -> ApiResult<Option<Organization>> {
        let Some(id) = self.0.organization_id else {
            return Ok(None);
        };
        Ok(cached_loader::<OrganizationLoader>(ctx)?
            .load_one(id)
            .await?
            .map(Organization))
    }

    /// When it was created.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When its secret was last set (at creation or by `rotateWebhookSecret`).
    async fn secret_rotated_at(&self) -> DateTime {
        self.0.secret_rotated_at.into()
    }

    /// Until when the secret replaced by the last rotation still signs, beside the current one;
    /// null when no previous secret signs.
    async fn previous_secret_expires_at(&self) -> Option<DateTime> {
        self.0
            .previous_secret_expires_at
            .filter(|until| *until > chrono::Utc::now())
            .map(DateTime)
    }

    /// Its latest deliveries, newest first.
    #[graphql(complexity = "cost(first, last, child_complexity)")]
    async fn deliveries(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many deliveries to return, newest first, at most 100 (default 20).")]
        first: Option<i32>,
        #[graphql(desc = "Return deliveries after (older than) this cursor.")] after: Option<
            String,
        >,
        #[graphql(desc = "How many deliveries to return from the end (the oldest), at most 100.")]
        last: Option<i32>,
        #[graphql(desc = "Return deliveries before (newer than) this cursor.")] before: Option<
            String,
        >,
    ) -> ApiResult<WebhookDeliveryConnection> {
        let page = PageArgs::new(first, after, last, before).parse()?;
        let found = loader::<DeliveriesLoader>(ctx)?
            .load_one((self.0.id, page.clone()))
            .await?
            .unwrap_or_default();
        Ok(assemble(found.rows, &page, |row| row.id, found.total)
            .map(WebhookDelivery)
            .into())
    }
}

/// A delivery row, wrapped; its body is not API.
#[derive(Clone, Debug)]
pub struct WebhookDelivery(pub webhook_delivery::Model);

impl NodeKind for WebhookDelivery {
    const KIND: &'static str = "WebhookDelivery";
}

/// One event sent to one endpoint: its attempts and how they went.
#[Object]
impl WebhookDelivery {
    /// The delivery's opaque global ID.
    pub async fn id(&self) -> ID {
        ids::id_of::<Self>(self.0.id)
    }

    /// The event delivered.
    async fn event(&self) -> WebhookEvent {
        self.0.event_kind
    }

    /// The `webhook-id` header it carries, the same on every attempt: receivers use it to
    /// ignore a repeat.
    async fn webhook_id(&self) -> String {
        message_id(self.0.event_id)
    }

    /// Where it stands.
    async fn status(&self) -> DeliveryStatus {
        self.0.status
    }

    /// Attempts made so far.
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }

    /// The HTTP status of the last answer; null when none came (a timeout, a refused connection).
    async fn last_status_code(&self) -> Option<i32> {
        self.0.last_status_code
    }

    /// Why the last attempt failed; null after success.
    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }

    /// When the last attempt began.
    async fn last_attempt_at(&self) -> Option<DateTime> {
        self.0.last_attempt_at.map(DateTime)
    }

    /// When the next attempt is due; null once it succeeded or failed for good.
    async fn next_attempt_at(&self) -> Option<DateTime> {
        (self.0.status == DeliveryStatus::Pending).then_some(DateTime(self.0.next_attempt_at))
    }

    /// When the endpoint accepted it.
    async fn delivered_at(&self) -> Option<DateTime> {
        self.0.delivered_at.map(DateTime)
    }

    /// When the event was queued for this endpoint.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
}

crate::connection!(
    WebhookEndpointConnection,
    WebhookEndpointEdge,
    WebhookEndpoint
);
crate::connection!(
    WebhookDeliveryConnection,
    WebhookDeliveryEdge,
    WebhookDelivery
);
