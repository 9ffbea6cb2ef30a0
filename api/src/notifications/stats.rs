//! What `/metrics` shows of the outbox: how much waits to be sent and since when.

use chrono::{DateTime, Utc};
use entity::{
    email_message::{self, MailStatus},
    prelude::{EmailMessage, WebhookDelivery},
    webhook_delivery::{self, DeliveryStatus},
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

/// The pending work of one channel.
#[derive(Clone, Copy, Debug, Default)]
pub struct Backlog {
    /// Deliveries or messages not yet sent (nor failed for good).
    pub pending: u64,
    /// When the oldest of them was written.
    pub oldest: Option<DateTime<Utc>>,
}

/// The backlog of webhooks and of mail.
#[derive(Clone, Copy, Debug, Default)]
pub struct Depth {
    pub webhooks: Backlog,
    pub email: Backlog,
}

/// Reads both backlogs: four small statements on indexed columns.
pub async fn depth(db: &impl ConnectionTrait) -> Result<Depth, sea_orm::DbErr> {
    let pending_webhooks = WebhookDelivery::find()
        .filter(webhook_delivery::Column::Status.eq(DeliveryStatus::Pending));
    let pending_mail =
        EmailMessage::find().filter(email_message::Column::Status.eq(MailStatus::Pending));
    Ok(Depth {
        webhooks: Backlog {
            pending: pending_webhooks.clone().count(db).await?,
            oldest: pending_webhooks
                .order_by_asc(webhook_delivery::Column::CreatedAt)
                .one(db)
                .await?
                .map(|row| row.created_at),
        },
        email: Backlog {
            pending: pending_mail.clone().count(db).await?,
            oldest: pending_mail
                .order_by_asc(email_message::Column::CreatedAt)
                .one(db)
                .await?
                .map(|row| row.created_at),
        },
    })
}
