//! One registration of a document per client, and the lookup of a request's document id.

use sea_orm_migration::prelude::*;

use crate::m20261209_000401_create_trusted_documents::TrustedDocuments;

const NAME: &str = "idx_trusted_documents_document_client";

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(NAME)
                    .table(TrustedDocuments::Table)
                    .col(TrustedDocuments::DocumentId)
                    .col(TrustedDocuments::ClientName)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(NAME)
                    .table(TrustedDocuments::Table)
                    .to_owned(),
            )
            .await
    }
}
