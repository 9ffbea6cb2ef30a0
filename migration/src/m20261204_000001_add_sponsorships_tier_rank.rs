//! Sponsorships carry their tier's rank, so that the public list's order (tier rank, then
//! sponsor-since, then id) lies in one table and one index can serve it.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261125_000017_create_sponsorships::Sponsorships;

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
            .alter_table(
                Table::alter()
                    .table(Sponsorships::Table)
                    .add_column(integer(TierRank::TierRank).default(0))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Sponsorships::Table)
                    .drop_column(TierRank::TierRank)
                    .to_owned(),
            )
            .await
    }
}
