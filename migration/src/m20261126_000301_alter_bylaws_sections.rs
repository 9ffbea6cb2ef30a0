//! Marks the bylaws sections that define membership rights: an amendment touching one goes to
//! the members. Existing sections start unmarked; the secretary's flag still covers them.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(BylawsSections::Table)
                    .add_column(boolean(BylawsSections::DefinesMembershipRights).default(false))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(BylawsSections::Table)
                    .drop_column(BylawsSections::DefinesMembershipRights)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum BylawsSections {
    Table,
    DefinesMembershipRights,
}
