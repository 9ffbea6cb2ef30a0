//! The days a daily job has run, so that across replicas and restarts it runs once a day.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ScheduledRuns::Table)
                    .col(string_len(ScheduledRuns::Job, 60))
                    .col(date(ScheduledRuns::Day))
                    .col(timestamp_with_time_zone(ScheduledRuns::RanAt))
                    .primary_key(
                        Index::create()
                            .col(ScheduledRuns::Job)
                            .col(ScheduledRuns::Day),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ScheduledRuns::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum ScheduledRuns {
    Table,
    Job,
    Day,
    RanAt,
}
