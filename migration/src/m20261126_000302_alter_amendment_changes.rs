//! Lets an amendment's insertion or replacement set whether the section defines membership
//! rights; null keeps the mark as it is (an insertion starts unmarked).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(AmendmentChanges::Table)
                    .add_column(boolean_null(AmendmentChanges::DefinesMembershipRights))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(AmendmentChanges::Table)
                    .drop_column(AmendmentChanges::DefinesMembershipRights)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum AmendmentChanges {
    Table,
    DefinesMembershipRights,
}
