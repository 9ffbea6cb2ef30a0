//! When a sponsorship was told to integrations (`sponsorship.created`): at recording when it has
//! started, otherwise on its start date, by the scheduler. Null while it waits to be told.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261125_000017_create_sponsorships::Sponsorships;

#[derive(DeriveIden)]
enum AnnouncedAt {
    AnnouncedAt,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Sponsorships::Table)
                    .add_column(timestamp_with_time_zone_null(AnnouncedAt::AnnouncedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Sponsorships::Table)
                    .drop_column(AnnouncedAt::AnnouncedAt)
                    .to_owned(),
            )
            .await
    }
}
