//! Amendments, their section changes and their discussion.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Amendments::Table)
                    .col(uuid(Amendments::Id).primary_key())
                    .col(string_len(Amendments::Title, 200))
                    .col(text(Amendments::Rationale))
                    .col(uuid(Amendments::ProposerId))
                    .col(integer(Amendments::BaseVersion))
                    .col(string_len(Amendments::Status, 20))
                    .col(boolean(Amendments::AffectsMembershipRights))
                    .col(string_len_null(Amendments::VoteBody, 20))
                    .col(timestamp_with_time_zone_null(Amendments::SubmittedAt))
                    .col(timestamp_with_time_zone_null(Amendments::VotingOpenedAt))
                    .col(timestamp_with_time_zone_null(Amendments::ClosesAt))
                    .col(timestamp_with_time_zone_null(Amendments::ClosedAt))
                    .col(text_null(Amendments::VoteRules))
                    .col(text_null(Amendments::Tally))
                    .col(integer_null(Amendments::AdoptedVersion))
                    .col(timestamp_with_time_zone(Amendments::CreatedAt))
                    .col(timestamp_with_time_zone(Amendments::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AmendmentChanges::Table)
                    .col(uuid(AmendmentChanges::Id).primary_key())
                    .col(uuid(AmendmentChanges::AmendmentId))
                    .col(integer(AmendmentChanges::Ordinal))
                    .col(string_len(AmendmentChanges::Operation, 20))
                    .col(uuid_null(AmendmentChanges::SectionKey))
                    .col(integer_null(AmendmentChanges::ArticleNumber))
                    .col(integer_null(AmendmentChanges::Position))
                    .col(string_len_null(AmendmentChanges::Heading, 200))
                    .col(text_null(AmendmentChanges::Text))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AmendmentChanges::Table, AmendmentChanges::AmendmentId)
                            .to(Amendments::Table, Amendments::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AmendmentComments::Table)
                    .col(uuid(AmendmentComments::Id).primary_key())
                    .col(uuid(AmendmentComments::AmendmentId))
                    .col(uuid(AmendmentComments::AuthorId))
                    .col(text(AmendmentComments::Body))
                    .col(timestamp_with_time_zone(AmendmentComments::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AmendmentComments::Table, AmendmentComments::AmendmentId)
                            .to(Amendments::Table, Amendments::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AmendmentComments::Table.into_iden(),
            AmendmentChanges::Table.into_iden(),
            Amendments::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
pub enum Amendments {
    Table,
    Id,
    Title,
    Rationale,
    ProposerId,
    BaseVersion,
    Status,
    AffectsMembershipRights,
    VoteBody,
    SubmittedAt,
    VotingOpenedAt,
    ClosesAt,
    ClosedAt,
    VoteRules,
    Tally,
    AdoptedVersion,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum AmendmentChanges {
    Table,
    Id,
    AmendmentId,
    Ordinal,
    Operation,
    SectionKey,
    ArticleNumber,
    Position,
    Heading,
    Text,
}

#[derive(DeriveIden)]
pub enum AmendmentComments {
    Table,
    Id,
    AmendmentId,
    AuthorId,
    Body,
    CreatedAt,
}
