//! Bylaws: immutable versions, each a full copy of its articles and sections. A section keeps
//! its `section_key` from version to version, so any two versions can be compared.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(BylawsVersions::Table)
                    .col(integer(BylawsVersions::Number).primary_key())
                    .col(timestamp_with_time_zone(BylawsVersions::AdoptedAt))
                    .col(timestamp_with_time_zone(BylawsVersions::EffectiveAt))
                    .col(uuid_null(BylawsVersions::AmendmentId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(BylawsSections::Table)
                    .col(uuid(BylawsSections::Id).primary_key())
                    .col(integer(BylawsSections::VersionNumber))
                    .col(uuid(BylawsSections::SectionKey))
                    .col(integer(BylawsSections::ArticleNumber))
                    .col(string_len(BylawsSections::ArticleTitle, 200))
                    .col(integer(BylawsSections::SectionNumber))
                    .col(string_len(BylawsSections::Heading, 200))
                    .col(text(BylawsSections::Text))
                    .foreign_key(
                        ForeignKey::create()
                            .from(BylawsSections::Table, BylawsSections::VersionNumber)
                            .to(BylawsVersions::Table, BylawsVersions::Number),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_bylaws_sections_place")
                    .table(BylawsSections::Table)
                    .col(BylawsSections::VersionNumber)
                    .col(BylawsSections::ArticleNumber)
                    .col(BylawsSections::SectionNumber)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_bylaws_sections_key")
                    .table(BylawsSections::Table)
                    .col(BylawsSections::VersionNumber)
                    .col(BylawsSections::SectionKey)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(BylawsSections::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(BylawsVersions::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum BylawsVersions {
    Table,
    Number,
    AdoptedAt,
    EffectiveAt,
    AmendmentId,
}

#[derive(DeriveIden)]
pub enum BylawsSections {
    Table,
    Id,
    VersionNumber,
    SectionKey,
    ArticleNumber,
    ArticleTitle,
    SectionNumber,
    Heading,
    Text,
}
