//! `log_cosignatures`: the witnesses' cosignature lines of each signed checkpoint, served after
//! the log's own signature.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(LogCosignatures::Table)
                    .col(big_integer(LogCosignatures::Size))
                    .col(text(LogCosignatures::Witness))
                    .col(text(LogCosignatures::Line))
                    .col(timestamp_with_time_zone(LogCosignatures::CosignedAt))
                    .primary_key(
                        Index::create()
                            .col(LogCosignatures::Size)
                            .col(LogCosignatures::Witness),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(LogCosignatures::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum LogCosignatures {
    Table,
    Size,
    Witness,
    Line,
    CosignedAt,
}
