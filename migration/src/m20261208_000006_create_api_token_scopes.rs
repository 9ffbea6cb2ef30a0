//! An API token's scopes become rows, one per scope, with a typed scope column: a join table
//! rather than an array, because SQLite has no array type and a JSON list would be queried
//! differently on each backend, while rows read, check (one scope once per token) and cascade
//! the same way on both.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261125_000007_create_api_tokens::ApiTokens;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ApiTokenScopes::Table)
                    .col(uuid(ApiTokenScopes::ApiTokenId))
                    .col(string_len(ApiTokenScopes::Scope, 40))
                    .primary_key(
                        Index::create()
                            .col(ApiTokenScopes::ApiTokenId)
                            .col(ApiTokenScopes::Scope),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ApiTokenScopes::Table, ApiTokenScopes::ApiTokenId)
                            .to(ApiTokens::Table, ApiTokens::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ApiTokenScopes::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum ApiTokenScopes {
    Table,
    ApiTokenId,
    Scope,
}
