//! Webhook endpoints: where integrations receive signed events, the events they want, and the
//! secret that signs them (kept to sign; shown to its owner only when made).

use sea_orm_migration::{prelude::*, schema::*};

use crate::{
    m20261125_000001_create_accounts::Accounts,
    m20261125_000005_create_organizations::Organizations,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(WebhookEndpoints::Table)
                    .col(uuid(WebhookEndpoints::Id).primary_key())
                    .col(string_len(WebhookEndpoints::Url, 2000))
                    .col(string_len(WebhookEndpoints::Events, 400))
                    .col(string_len(WebhookEndpoints::Secret, 100))
                    .col(uuid_null(WebhookEndpoints::OrganizationId))
                    .col(uuid(WebhookEndpoints::CreatedBy))
                    .col(timestamp_with_time_zone(WebhookEndpoints::CreatedAt))
                    .col(timestamp_with_time_zone(WebhookEndpoints::SecretRotatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(WebhookEndpoints::Table, WebhookEndpoints::OrganizationId)
                            .to(Organizations::Table, Organizations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(WebhookEndpoints::Table, WebhookEndpoints::CreatedBy)
                            .to(Accounts::Table, Accounts::Id),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(WebhookEndpoints::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum WebhookEndpoints {
    Table,
    Id,
    Url,
    Events,
    Secret,
    OrganizationId,
    CreatedBy,
    CreatedAt,
    SecretRotatedAt,
}
