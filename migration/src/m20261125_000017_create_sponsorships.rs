//! Sponsorships: a sponsor (account or organization) at a tier for a period, with display
//! consent.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261125_000016_create_sponsor_tiers::SponsorTiers;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Sponsorships::Table)
                    .col(uuid(Sponsorships::Id).primary_key())
                    .col(uuid(Sponsorships::TierId))
                    .col(string_len(Sponsorships::SponsorKey, 60))
                    .col(uuid_null(Sponsorships::SponsorAccountId))
                    .col(uuid_null(Sponsorships::SponsorOrganizationId))
                    .col(big_integer(Sponsorships::AmountMinor))
                    .col(string_len(Sponsorships::Currency, 3))
                    .col(date(Sponsorships::StartsOn))
                    .col(date(Sponsorships::EndsOn))
                    .col(date(Sponsorships::SponsorSince))
                    .col(boolean(Sponsorships::AutoRenew))
                    .col(string_len(Sponsorships::Status, 20))
                    .col(text_null(Sponsorships::InKindDescription))
                    .col(boolean(Sponsorships::Disclose))
                    .col(text_null(Sponsorships::CancelReason))
                    .col(uuid(Sponsorships::RecordedBy))
                    .col(timestamp_with_time_zone(Sponsorships::CreatedAt))
                    .col(timestamp_with_time_zone(Sponsorships::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Sponsorships::Table, Sponsorships::TierId)
                            .to(SponsorTiers::Table, SponsorTiers::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_sponsorships_sponsor")
                    .table(Sponsorships::Table)
                    .col(Sponsorships::SponsorKey)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Sponsorships::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Sponsorships {
    Table,
    Id,
    TierId,
    SponsorKey,
    SponsorAccountId,
    SponsorOrganizationId,
    AmountMinor,
    Currency,
    StartsOn,
    EndsOn,
    SponsorSince,
    AutoRenew,
    Status,
    InKindDescription,
    Disclose,
    CancelReason,
    RecordedBy,
    CreatedAt,
    UpdatedAt,
}
