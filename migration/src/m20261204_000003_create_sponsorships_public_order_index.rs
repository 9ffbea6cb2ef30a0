//! The index of the public sponsor list: standing sponsorships in the list's order, so that a
//! page reads as many index entries as it shows instead of sorting every sponsorship. The
//! status leads as an equality, which both backends use with a bound parameter (a partial
//! index on a literal status would be skipped by a prepared statement's generic plan).

use sea_orm_migration::prelude::*;

use crate::m20261125_000017_create_sponsorships::Sponsorships;

const NAME: &str = "sponsorships_public_order";

#[derive(DeriveIden)]
enum TierRank {
    TierRank,
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
                    .col(Sponsorships::Status)
                    .col(TierRank::TierRank)
                    .col(Sponsorships::SponsorSince)
                    .col(Sponsorships::Id)
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
