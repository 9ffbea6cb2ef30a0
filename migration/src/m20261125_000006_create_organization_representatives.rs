//! Representatives: the accounts that act for an organization.

use sea_orm_migration::{prelude::*, schema::*};

use crate::{
    m20261125_000001_create_accounts::Accounts,
    m20261125_000005_create_organizations::Organizations,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(OrganizationRepresentatives::Table)
                    .col(uuid(OrganizationRepresentatives::OrganizationId))
                    .col(uuid(OrganizationRepresentatives::AccountId))
                    .col(timestamp_with_time_zone(
                        OrganizationRepresentatives::AddedAt,
                    ))
                    .primary_key(
                        Index::create()
                            .col(OrganizationRepresentatives::OrganizationId)
                            .col(OrganizationRepresentatives::AccountId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                OrganizationRepresentatives::Table,
                                OrganizationRepresentatives::OrganizationId,
                            )
                            .to(Organizations::Table, Organizations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                OrganizationRepresentatives::Table,
                                OrganizationRepresentatives::AccountId,
                            )
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_organization_representatives_account")
                    .table(OrganizationRepresentatives::Table)
                    .col(OrganizationRepresentatives::AccountId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(OrganizationRepresentatives::Table)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
pub enum OrganizationRepresentatives {
    Table,
    OrganizationId,
    AccountId,
    AddedAt,
}
