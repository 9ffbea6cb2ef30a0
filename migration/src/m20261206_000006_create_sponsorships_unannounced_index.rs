//! Finds the sponsorships still waiting to be told (announced_at null) by start date, so that
//! the scheduler's daily look reads only those.

use sea_orm_migration::prelude::*;

use crate::m20261125_000017_create_sponsorships::Sponsorships;

const NAME: &str = "sponsorships_unannounced";

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
            .create_index(
                Index::create()
                    .name(NAME)
                    .table(Sponsorships::Table)
                    .col(AnnouncedAt::AnnouncedAt)
                    .col(Sponsorships::StartsOn)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(NAME)
                    .table(Sponsorships::Table)
                    .to_owned(),
            )
            .await
    }
}
