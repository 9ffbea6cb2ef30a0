//! `webhook_deliveries`: one event sent to one endpoint, with its attempts.

use sea_orm::entity::prelude::*;

use crate::outbox_event::WebhookEvent;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_deliveries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub endpoint_id: Uuid,
    pub event_id: Uuid,
    pub event_kind: WebhookEvent,
    pub status: DeliveryStatus,
    pub attempts: i32,
    /// When it is next due; while a worker holds it, when its claim runs out.
    pub next_attempt_at: DateTimeUtc,
    /// The JSON sent; dropped once delivered.
    pub body: Option<String>,
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    pub last_attempt_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub delivered_at: Option<DateTimeUtc>,
}

/// Where a delivery stands.
#[derive(
    Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum DeliveryStatus {
    /// Waiting for its next attempt, or being attempted now.
    Pending,
    /// The endpoint answered with a 2xx status.
    Succeeded,
    /// Every attempt failed; it can be sent again with `redeliverWebhook`.
    Failed,
    /// Not sent, and never will be: by the time it was due, the endpoint's owner could no longer
    /// read the event (the sponsor withdrew consent, the member asked not to be listed, or the
    /// owner lost the right the endpoint's audience needs).
    Withheld,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
