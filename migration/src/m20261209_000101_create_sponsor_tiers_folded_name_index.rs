//! Tier names are unique ignoring case, so that `sponsors(tierName:)`, which matches ignoring
//! case, names one tier at most. Both databases index the expression `lower(name)`.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX idx_sponsor_tiers_folded_name ON sponsor_tiers (lower(name))",
            )
            .await
            .map(drop)
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX idx_sponsor_tiers_folded_name")
            .await
            .map(drop)
    }
}
