//! `log_checkpoints`: every checkpoint the sealer signed, by tree size, with its root and the
//! signed note as served.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(LogCheckpoints::Table)
                    .col(big_integer(LogCheckpoints::Size).primary_key())
                    .col(blob(LogCheckpoints::Root))
                    .col(text(LogCheckpoints::Note))
                    .col(timestamp_with_time_zone(LogCheckpoints::SignedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(LogCheckpoints::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum LogCheckpoints {
    Table,
    Size,
    Root,
    Note,
    SignedAt,
}
