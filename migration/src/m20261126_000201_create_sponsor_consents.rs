//! Sponsor consents: a sponsor's consent to be shown in public, one row per sponsor, so that
//! withdrawing it hides every sponsorship of the sponsor at once.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SponsorConsents::Table)
                    .col(string_len(SponsorConsents::SponsorKey, 60).primary_key())
                    .col(boolean(SponsorConsents::Disclose))
                    .col(timestamp_with_time_zone(SponsorConsents::UpdatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SponsorConsents::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum SponsorConsents {
    Table,
    SponsorKey,
    Disclose,
    UpdatedAt,
}
