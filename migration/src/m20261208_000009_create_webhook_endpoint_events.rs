//! The events a webhook endpoint subscribes to become rows, one per event, with a typed event
//! column, for the reasons `api_token_scopes` is a table: the same rows, checks and queries on
//! SQLite and PostgreSQL. The outbox finds an event's subscribers through them.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261203_000002_create_webhook_endpoints::WebhookEndpoints;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(WebhookEndpointEvents::Table)
                    .col(uuid(WebhookEndpointEvents::EndpointId))
                    .col(string_len(WebhookEndpointEvents::Event, 40))
                    .primary_key(
                        Index::create()
                            .col(WebhookEndpointEvents::EndpointId)
                            .col(WebhookEndpointEvents::Event),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                WebhookEndpointEvents::Table,
                                WebhookEndpointEvents::EndpointId,
                            )
                            .to(WebhookEndpoints::Table, WebhookEndpoints::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // The outbox asks "who subscribes to this event?".
        manager
            .create_index(
                Index::create()
                    .name("ix_webhook_endpoint_events_event")
                    .table(WebhookEndpointEvents::Table)
                    .col(WebhookEndpointEvents::Event)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(WebhookEndpointEvents::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum WebhookEndpointEvents {
    Table,
    EndpointId,
    Event,
}
