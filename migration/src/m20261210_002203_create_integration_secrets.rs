//! An integration's secrets, stored as SHA-256 hashes only. A rotation gives the secret it
//! replaces an `expires_at` (the overlap), so for a while two secrets work.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261210_002201_create_integrations::Integrations;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(IntegrationSecrets::Table)
                    .col(uuid(IntegrationSecrets::Id).primary_key())
                    .col(uuid(IntegrationSecrets::IntegrationId))
                    .col(string_len(IntegrationSecrets::Prefix, 16))
                    .col(string_len_uniq(IntegrationSecrets::SecretHash, 64))
                    .col(timestamp_with_time_zone(IntegrationSecrets::CreatedAt))
                    .col(timestamp_with_time_zone_null(IntegrationSecrets::ExpiresAt))
                    .col(timestamp_with_time_zone_null(
                        IntegrationSecrets::LastUsedAt,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .from(IntegrationSecrets::Table, IntegrationSecrets::IntegrationId)
                            .to(Integrations::Table, Integrations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(IntegrationSecrets::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum IntegrationSecrets {
    Table,
    Id,
    IntegrationId,
    Prefix,
    SecretHash,
    CreatedAt,
    ExpiresAt,
    LastUsedAt,
}
