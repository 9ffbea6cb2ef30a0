//! `log_witness_sizes`: per witness, the size of the last checkpoint it cosigned, as far as the
//! server knows, so that any replica sends the next one with a proof from there.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(LogWitnessSizes::Table)
                    .col(text(LogWitnessSizes::Witness).primary_key())
                    .col(big_integer(LogWitnessSizes::Size))
                    .col(timestamp_with_time_zone(LogWitnessSizes::UpdatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(LogWitnessSizes::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum LogWitnessSizes {
    Table,
    Witness,
    Size,
    UpdatedAt,
}
