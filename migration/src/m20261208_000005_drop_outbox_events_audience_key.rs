//! The outbox audience's old text is read into typed columns; it goes.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261203_000001_create_outbox_events::OutboxEvents;

#[derive(DeriveIden)]
enum Legacy {
    AudienceKey,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(OutboxEvents::Table)
                    .drop_column(Legacy::AudienceKey)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(OutboxEvents::Table)
                    .add_column(string_len_null(Legacy::AudienceKey, 60))
                    .to_owned(),
            )
            .await
    }
}
