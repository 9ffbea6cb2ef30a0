//! The mirrors a Mirror application names.

use sea_orm_migration::{prelude::*, schema::*};

use crate::{
    m20261125_000011_create_mirrors::Mirrors, m20261125_000013_create_applications::Applications,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ApplicationMirrors::Table)
                    .col(uuid(ApplicationMirrors::ApplicationId))
                    .col(uuid(ApplicationMirrors::MirrorId))
                    .primary_key(
                        Index::create()
                            .col(ApplicationMirrors::ApplicationId)
                            .col(ApplicationMirrors::MirrorId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ApplicationMirrors::Table, ApplicationMirrors::ApplicationId)
                            .to(Applications::Table, Applications::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ApplicationMirrors::Table, ApplicationMirrors::MirrorId)
                            .to(Mirrors::Table, Mirrors::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ApplicationMirrors::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum ApplicationMirrors {
    Table,
    ApplicationId,
    MirrorId,
}
