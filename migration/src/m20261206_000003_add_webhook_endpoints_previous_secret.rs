//! A rotated webhook secret stays valid beside the new one for a grace period: the previous
//! secret (sealed, as the current one is) and when it stops signing.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261203_000002_create_webhook_endpoints::WebhookEndpoints;

#[derive(DeriveIden)]
enum Previous {
    PreviousSecret,
    PreviousSecretExpiresAt,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds one at a time.
        manager
            .alter_table(
                Table::alter()
                    .table(WebhookEndpoints::Table)
                    .add_column(string_len_null(Previous::PreviousSecret, 100))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(WebhookEndpoints::Table)
                    .add_column(timestamp_with_time_zone_null(
                        Previous::PreviousSecretExpiresAt,
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Previous::PreviousSecretExpiresAt, Previous::PreviousSecret] {
            manager
                .alter_table(
                    Table::alter()
                        .table(WebhookEndpoints::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
