//! Mirror verifications: who checked a mirror, when, the outcome and notes.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261125_000011_create_mirrors::Mirrors;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(MirrorVerifications::Table)
                    .col(uuid(MirrorVerifications::Id).primary_key())
                    .col(uuid(MirrorVerifications::MirrorId))
                    .col(uuid(MirrorVerifications::CheckedBy))
                    .col(timestamp_with_time_zone(MirrorVerifications::CheckedAt))
                    .col(string_len(MirrorVerifications::Outcome, 20))
                    .col(text(MirrorVerifications::Notes))
                    .foreign_key(
                        ForeignKey::create()
                            .from(MirrorVerifications::Table, MirrorVerifications::MirrorId)
                            .to(Mirrors::Table, Mirrors::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_mirror_verifications_mirror")
                    .table(MirrorVerifications::Table)
                    .col(MirrorVerifications::MirrorId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(MirrorVerifications::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum MirrorVerifications {
    Table,
    Id,
    MirrorId,
    CheckedBy,
    CheckedAt,
    Outcome,
    Notes,
}
