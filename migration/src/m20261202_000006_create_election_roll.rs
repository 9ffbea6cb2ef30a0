//! An election's voter roll, frozen when voting opens.

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
                    .table(ElectionRoll::Table)
                    .col(uuid(ElectionRoll::Id).primary_key())
                    .col(uuid(ElectionRoll::ElectionId))
                    .col(uuid(ElectionRoll::MembershipId))
                    .col(string_len(ElectionRoll::HolderKey, 60))
                    .col(integer(ElectionRoll::NominalWeight))
                    .col(boolean(ElectionRoll::Sponsor))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ElectionRoll::Table, ElectionRoll::ElectionId)
                            .to(Elections::Table, Elections::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_election_roll_election_holder")
                    .table(ElectionRoll::Table)
                    .col(ElectionRoll::ElectionId)
                    .col(ElectionRoll::HolderKey)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ElectionRoll::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum ElectionRoll {
    Table,
    Id,
    ElectionId,
    MembershipId,
    HolderKey,
    NominalWeight,
    Sponsor,
}
