//! Amendment votes: the voter roll frozen when voting opens, and one vote per roll entry.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261125_000021_create_amendments::Amendments;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(VoterRoll::Table)
                    .col(uuid(VoterRoll::Id).primary_key())
                    .col(uuid(VoterRoll::AmendmentId))
                    .col(uuid_null(VoterRoll::MembershipId))
                    .col(uuid_null(VoterRoll::AccountId))
                    .col(string_len(VoterRoll::HolderKey, 60))
                    .col(integer(VoterRoll::NominalWeight))
                    .col(boolean(VoterRoll::Sponsor))
                    .foreign_key(
                        ForeignKey::create()
                            .from(VoterRoll::Table, VoterRoll::AmendmentId)
                            .to(Amendments::Table, Amendments::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_voter_roll_amendment")
                    .table(VoterRoll::Table)
                    .col(VoterRoll::AmendmentId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AmendmentVotes::Table)
                    .col(uuid(AmendmentVotes::RollEntryId).primary_key())
                    .col(uuid(AmendmentVotes::AmendmentId))
                    .col(uuid(AmendmentVotes::CastBy))
                    .col(string_len(AmendmentVotes::Choice, 10))
                    .col(timestamp_with_time_zone(AmendmentVotes::CastAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AmendmentVotes::Table, AmendmentVotes::RollEntryId)
                            .to(VoterRoll::Table, VoterRoll::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_amendment_votes_amendment")
                    .table(AmendmentVotes::Table)
                    .col(AmendmentVotes::AmendmentId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AmendmentVotes::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(VoterRoll::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum VoterRoll {
    Table,
    Id,
    AmendmentId,
    MembershipId,
    AccountId,
    HolderKey,
    NominalWeight,
    Sponsor,
}

#[derive(DeriveIden)]
pub enum AmendmentVotes {
    Table,
    RollEntryId,
    AmendmentId,
    CastBy,
    Choice,
    CastAt,
}
