//! Nominations: who is nominated in which election, by whom, and the nominee's answer.

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
                    .table(Nominations::Table)
                    .col(uuid(Nominations::Id).primary_key())
                    .col(uuid(Nominations::ElectionId))
                    .col(uuid(Nominations::NomineeAccountId))
                    .col(uuid(Nominations::NominatedBy))
                    .col(text_null(Nominations::Statement))
                    .col(string_len(Nominations::Response, 20))
                    .col(text_null(Nominations::NomineeStatement))
                    .col(uuid_null(Nominations::OrganizationId))
                    .col(timestamp_with_time_zone_null(Nominations::RespondedAt))
                    .col(text_null(Nominations::DisqualifiedReason))
                    .col(timestamp_with_time_zone_null(Nominations::DisqualifiedAt))
                    .col(uuid_null(Nominations::DisqualifiedBy))
                    .col(timestamp_with_time_zone(Nominations::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Nominations::Table, Nominations::ElectionId)
                            .to(Elections::Table, Elections::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Nominations::Table, Nominations::NomineeAccountId)
                            .to(Accounts::Table, Accounts::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Nominations::Table, Nominations::OrganizationId)
                            .to(Organizations::Table, Organizations::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // One nomination per person per election: a second nominator adds nothing.
        manager
            .create_index(
                Index::create()
                    .name("idx_nominations_election_nominee")
                    .table(Nominations::Table)
                    .col(Nominations::ElectionId)
                    .col(Nominations::NomineeAccountId)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Nominations::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Nominations {
    Table,
    Id,
    ElectionId,
    NomineeAccountId,
    NominatedBy,
    Statement,
    Response,
    NomineeStatement,
    OrganizationId,
    RespondedAt,
    DisqualifiedReason,
    DisqualifiedAt,
    DisqualifiedBy,
    CreatedAt,
}
