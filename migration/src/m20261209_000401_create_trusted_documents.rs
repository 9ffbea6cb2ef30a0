//! Trusted documents: the GraphQL operations a named client (a frontend's build) registered,
//! each under the SHA-256 of its text, so that requests may name one instead of sending it.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TrustedDocuments::Table)
                    .col(uuid(TrustedDocuments::Id).primary_key())
                    .col(string_len(TrustedDocuments::ClientName, 64))
                    .col(string_len(TrustedDocuments::DocumentId, 64))
                    .col(text(TrustedDocuments::Document))
                    .col(timestamp_with_time_zone(TrustedDocuments::RegisteredAt))
                    .col(uuid_null(TrustedDocuments::RegisteredBy))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(TrustedDocuments::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum TrustedDocuments {
    Table,
    Id,
    ClientName,
    DocumentId,
    Document,
    RegisteredAt,
    RegisteredBy,
}
