//! The own-case rule's look-back window joins the governance policy: 90 days by default.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(GovernancePolicy::Table)
                    .add_column(integer(GovernancePolicy::OwnCaseLookBackDays).default(90))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(GovernancePolicy::Table)
                    .drop_column(GovernancePolicy::OwnCaseLookBackDays)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum GovernancePolicy {
    Table,
    OwnCaseLookBackDays,
}
