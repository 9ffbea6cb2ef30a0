//! The outbox: each event worth telling integrations, written in the same transaction as the
//! change it reports. A dated event (a lapse, say) carries a key so that it is written once.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(OutboxEvents::Table)
                    .col(uuid(OutboxEvents::Id).primary_key())
                    .col(string_len(OutboxEvents::Kind, 40))
                    .col(uuid(OutboxEvents::SubjectId))
                    .col(string_len_null(OutboxEvents::Audience, 60))
                    .col(string_len_null(OutboxEvents::DedupKey, 200).unique_key())
                    .col(timestamp_with_time_zone(OutboxEvents::OccurredAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(OutboxEvents::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum OutboxEvents {
    Table,
    Id,
    Kind,
    SubjectId,
    Audience,
    DedupKey,
    OccurredAt,
}
