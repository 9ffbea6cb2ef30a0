//! Finds a session's refresh tokens, so that a refresh can forget the sealed pairs of its
//! session whose grace window has passed without reading the whole table.

use sea_orm_migration::prelude::*;

use crate::m20261125_000004_create_refresh_tokens::RefreshTokens;

const NAME: &str = "idx_refresh_tokens_session";

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(NAME)
                    .table(RefreshTokens::Table)
                    .col(RefreshTokens::SessionId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(NAME)
                    .table(RefreshTokens::Table)
                    .to_owned(),
            )
            .await
    }
}
