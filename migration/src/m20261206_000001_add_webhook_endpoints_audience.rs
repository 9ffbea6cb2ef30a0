//! Each webhook endpoint states what it may receive: `PUBLIC` (what anonymous callers may read,
//! the default), `ORGANIZATION` (also its organization's own undisclosed events) or `ADMIN`
//! (everything an ADMIN may read). The owner's right is checked again at each delivery.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261203_000002_create_webhook_endpoints::WebhookEndpoints;

#[derive(DeriveIden)]
enum Audience {
    Audience,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(WebhookEndpoints::Table)
                    .add_column(string_len(Audience::Audience, 20).default("PUBLIC"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(WebhookEndpoints::Table)
                    .drop_column(Audience::Audience)
                    .to_owned(),
            )
            .await
    }
}
