//! Sponsor activity for integrations that sync: new sponsorships, tier changes, lapses and
//! cancellations. A lapse is recorded once per sponsorship, whoever notices it first.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261125_000017_create_sponsorships::Sponsorships;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SponsorActivities::Table)
                    .col(uuid(SponsorActivities::Id).primary_key())
                    .col(uuid(SponsorActivities::SponsorshipId))
                    .col(string_len(SponsorActivities::Kind, 30))
                    .col(uuid_null(SponsorActivities::PreviousTierId))
                    .col(timestamp_with_time_zone(SponsorActivities::OccurredAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(SponsorActivities::Table, SponsorActivities::SponsorshipId)
                            .to(Sponsorships::Table, Sponsorships::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_sponsor_activities_once")
                    .table(SponsorActivities::Table)
                    .col(SponsorActivities::SponsorshipId)
                    .col(SponsorActivities::Kind)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SponsorActivities::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum SponsorActivities {
    Table,
    Id,
    SponsorshipId,
    Kind,
    PreviousTierId,
    OccurredAt,
}
