//! Mail to a whole roll: one row written in the transaction that opens a vote or an election,
//! fanned out into `email_messages` by the mail workers after the commit, so that opening a vote
//! of a hundred thousand members stays one short transaction.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Mailings::Table)
                    .col(uuid(Mailings::Id).primary_key())
                    .col(text(Mailings::Mail))
                    .col(string_len(Mailings::RollKind, 20))
                    .col(uuid(Mailings::RollId))
                    .col(timestamp_with_time_zone(Mailings::CreatedAt))
                    .col(timestamp_with_time_zone_null(Mailings::ExpandedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Mailings::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Mailings {
    Table,
    Id,
    Mail,
    RollKind,
    RollId,
    CreatedAt,
    ExpandedAt,
}
