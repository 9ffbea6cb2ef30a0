//! What was voted in an election, anonymously: random ids, no timestamps, no sequence, no
//! reference to the voter; only the ranking, the weight class and the receipt's hash.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261202_000002_create_elections::Elections;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ElectionBallots::Table)
                    .col(uuid(ElectionBallots::Id).primary_key())
                    .col(uuid(ElectionBallots::ElectionId))
                    .col(text(ElectionBallots::Ranking))
                    .col(integer(ElectionBallots::NominalWeight))
                    .col(boolean(ElectionBallots::Sponsor))
                    .col(string_len(ElectionBallots::ReceiptHash, 64).unique_key())
                    .foreign_key(
                        ForeignKey::create()
                            .from(ElectionBallots::Table, ElectionBallots::ElectionId)
                            .to(Elections::Table, Elections::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_election_ballots_election")
                    .table(ElectionBallots::Table)
                    .col(ElectionBallots::ElectionId)
                    .col(ElectionBallots::ReceiptHash)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ElectionBallots::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum ElectionBallots {
    Table,
    Id,
    ElectionId,
    Ranking,
    NominalWeight,
    Sponsor,
    ReceiptHash,
}
