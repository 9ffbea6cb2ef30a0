//! The board of record: one row per seat held by a person for a term.

use sea_orm_migration::{prelude::*, schema::*};

use crate::{
    m20261125_000001_create_accounts::Accounts,
    m20261125_000005_create_organizations::Organizations,
    m20261202_000002_create_elections::Elections,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Directorships::Table)
                    .col(uuid(Directorships::Id).primary_key())
                    .col(uuid(Directorships::AccountId))
                    .col(string_len(Directorships::Kind, 20))
                    .col(date(Directorships::TermStartsOn))
                    .col(date(Directorships::TermEndsOn))
                    .col(uuid_null(Directorships::OrganizationId))
                    .col(uuid_null(Directorships::ElectionId))
                    .col(timestamp_with_time_zone(Directorships::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Directorships::Table, Directorships::AccountId)
                            .to(Accounts::Table, Accounts::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Directorships::Table, Directorships::OrganizationId)
                            .to(Organizations::Table, Organizations::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Directorships::Table, Directorships::ElectionId)
                            .to(Elections::Table, Elections::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_directorships_account")
                    .table(Directorships::Table)
                    .col(Directorships::AccountId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_directorships_term")
                    .table(Directorships::Table)
                    .col(Directorships::TermEndsOn)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Directorships::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Directorships {
    Table,
    Id,
    AccountId,
    Kind,
    TermStartsOn,
    TermEndsOn,
    OrganizationId,
    ElectionId,
    CreatedAt,
}
