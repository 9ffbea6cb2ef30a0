//! Contributions: the ledger of money and in-kind value received, in exact minor units.

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
                    .table(Contributions::Table)
                    .col(uuid(Contributions::Id).primary_key())
                    .col(uuid(Contributions::SponsorshipId))
                    .col(big_integer(Contributions::AmountMinor))
                    .col(string_len(Contributions::Currency, 3))
                    .col(date(Contributions::ReceivedOn))
                    .col(string_len(Contributions::Kind, 20))
                    .col(text(Contributions::Note))
                    .col(uuid(Contributions::RecordedBy))
                    .col(timestamp_with_time_zone(Contributions::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Contributions::Table, Contributions::SponsorshipId)
                            .to(Sponsorships::Table, Sponsorships::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_contributions_sponsorship")
                    .table(Contributions::Table)
                    .col(Contributions::SponsorshipId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Contributions::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Contributions {
    Table,
    Id,
    SponsorshipId,
    AmountMinor,
    Currency,
    ReceivedOn,
    Kind,
    Note,
    RecordedBy,
    CreatedAt,
}
