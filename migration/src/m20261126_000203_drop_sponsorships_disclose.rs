//! Sponsorships no longer carry display consent: it is the sponsor's (`sponsor_consents`).

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261125_000017_create_sponsorships::Sponsorships;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Sponsorships::Table)
                    .drop_column(Sponsorships::Disclose)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Sponsorships::Table)
                    .add_column(boolean(Sponsorships::Disclose).default(true))
                    .to_owned(),
            )
            .await
    }
}
