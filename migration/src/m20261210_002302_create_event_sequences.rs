//! The last sequence number given to a webhook event about each subject (a sponsor or member,
//! or an amendment or election): the outbox counts on from it under the row's lock, in the
//! transaction that writes the event, so the numbers follow the order of commits.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(EventSequences::Table)
                    .col(uuid(EventSequences::SubjectId).primary_key())
                    .col(big_integer(EventSequences::Last))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(EventSequences::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum EventSequences {
    Table,
    SubjectId,
    Last,
}
