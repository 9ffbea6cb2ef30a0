//! Who voted in an election: one row per roll entry that cast its ballot, kept apart from the
//! ballots themselves.

use sea_orm_migration::{prelude::*, schema::*};

use crate::{
    m20261202_000002_create_elections::Elections,
    m20261202_000006_create_election_roll::ElectionRoll,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ElectionVoters::Table)
                    .col(uuid(ElectionVoters::RollEntryId).primary_key())
                    .col(uuid(ElectionVoters::ElectionId))
                    .col(uuid(ElectionVoters::CastBy))
                    .col(timestamp_with_time_zone(ElectionVoters::VotedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ElectionVoters::Table, ElectionVoters::RollEntryId)
                            .to(ElectionRoll::Table, ElectionRoll::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ElectionVoters::Table, ElectionVoters::ElectionId)
                            .to(Elections::Table, Elections::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_election_voters_election")
                    .table(ElectionVoters::Table)
                    .col(ElectionVoters::ElectionId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ElectionVoters::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum ElectionVoters {
    Table,
    RollEntryId,
    ElectionId,
    CastBy,
    VotedAt,
}
