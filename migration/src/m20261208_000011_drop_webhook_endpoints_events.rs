//! Webhook endpoints' events live in `webhook_endpoint_events`; the comma-separated column goes.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261203_000002_create_webhook_endpoints::WebhookEndpoints;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(WebhookEndpoints::Table)
                    .drop_column(WebhookEndpoints::Events)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(WebhookEndpoints::Table)
                    .add_column(string_len(WebhookEndpoints::Events, 400).default(""))
                    .to_owned(),
            )
            .await
    }
}
