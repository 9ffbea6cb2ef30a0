//! Representation periods: when each account started, and stopped, representing each
//! organization. The own-case rule reads them to bar whoever represented an organization when
//! its case was opened or within the policy's look-back window, not only its representatives now.

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
                    .table(RepresentationPeriods::Table)
                    .col(uuid(RepresentationPeriods::OrganizationId))
                    .col(uuid(RepresentationPeriods::AccountId))
                    .col(timestamp_with_time_zone(RepresentationPeriods::StartedAt))
                    .col(timestamp_with_time_zone_null(
                        RepresentationPeriods::EndedAt,
                    ))
                    .primary_key(
                        Index::create()
                            .col(RepresentationPeriods::OrganizationId)
                            .col(RepresentationPeriods::AccountId)
                            .col(RepresentationPeriods::StartedAt),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                RepresentationPeriods::Table,
                                RepresentationPeriods::OrganizationId,
                            )
                            .to(Organizations::Table, Organizations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                RepresentationPeriods::Table,
                                RepresentationPeriods::AccountId,
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
                    .name("idx_representation_periods_account")
                    .table(RepresentationPeriods::Table)
                    .col(RepresentationPeriods::AccountId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RepresentationPeriods::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum RepresentationPeriods {
    Table,
    OrganizationId,
    AccountId,
    StartedAt,
    EndedAt,
}
