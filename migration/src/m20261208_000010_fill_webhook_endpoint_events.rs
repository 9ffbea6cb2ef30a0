//! Copies each webhook endpoint's comma-separated events into `webhook_endpoint_events`. A name
//! no release sent stops the migration, naming the endpoint, rather than drop a subscription in
//! silence.

use sea_orm_migration::prelude::*;

use crate::{
    comma_list::CommaList, m20261203_000002_create_webhook_endpoints::WebhookEndpoints,
    m20261208_000009_create_webhook_endpoint_events::WebhookEndpointEvents,
};

/// The subscriptions, and every event a release sent, by its dotted name.
fn events() -> CommaList {
    CommaList {
        table: WebhookEndpoints::Table.into_iden(),
        id: WebhookEndpoints::Id.into_iden(),
        list: WebhookEndpoints::Events.into_iden(),
        rows: WebhookEndpointEvents::Table.into_iden(),
        row_id: WebhookEndpointEvents::EndpointId.into_iden(),
        row_name: WebhookEndpointEvents::Event.into_iden(),
        known: &[
            "sponsorship.created",
            "sponsorship.tier_changed",
            "sponsorship.lapsed",
            "sponsorship.cancelled",
            "membership.approved",
            "amendment.adopted",
            "amendment.rejected",
            "election.certified",
        ],
        what: "webhook endpoint",
    }
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        events().split(manager.get_connection()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        events().join(manager.get_connection()).await
    }
}
