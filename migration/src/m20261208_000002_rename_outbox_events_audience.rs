//! The outbox audience's text (`shown:<holder key>`, `disclosed:<holder key>`, a bare holder key
//! or null) steps aside as `audience_key`, so that `audience` can become the typed rule beside
//! the holder's own columns (the next three migrations).

use sea_orm_migration::prelude::*;

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
                    .rename_column(OutboxEvents::Audience, Legacy::AudienceKey)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(OutboxEvents::Table)
                    .rename_column(Legacy::AudienceKey, OutboxEvents::Audience)
                    .to_owned(),
            )
            .await
    }
}
