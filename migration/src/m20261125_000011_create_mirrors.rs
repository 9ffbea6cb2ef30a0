//! Mirrors: hosts that carry the project's files, each owned by an account or an organization.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Mirrors::Table)
                    .col(uuid(Mirrors::Id).primary_key())
                    .col(string_len_uniq(Mirrors::HostName, 253))
                    .col(string_len(Mirrors::HttpUrl, 2048))
                    .col(string_len_null(Mirrors::RsyncUrl, 2048))
                    .col(string_len_null(Mirrors::FtpUrl, 2048))
                    .col(string_len(Mirrors::Country, 2))
                    .col(integer(Mirrors::UpdateFrequencyHours))
                    .col(string_len(Mirrors::OwnerKey, 60))
                    .col(uuid_null(Mirrors::OwnerAccountId))
                    .col(uuid_null(Mirrors::OwnerOrganizationId))
                    .col(string_len(Mirrors::Status, 20))
                    .col(timestamp_with_time_zone_null(Mirrors::LastVerifiedAt))
                    .col(uuid(Mirrors::RegisteredBy))
                    .col(timestamp_with_time_zone(Mirrors::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_mirrors_owner")
                    .table(Mirrors::Table)
                    .col(Mirrors::OwnerKey)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Mirrors::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Mirrors {
    Table,
    Id,
    HostName,
    HttpUrl,
    RsyncUrl,
    FtpUrl,
    Country,
    UpdateFrequencyHours,
    OwnerKey,
    OwnerAccountId,
    OwnerOrganizationId,
    Status,
    LastVerifiedAt,
    RegisteredBy,
    CreatedAt,
}
