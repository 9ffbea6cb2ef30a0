//! A refresh token presented again within a short grace window answers the pair its first use
//! issued: that pair, sealed with the server's key, is kept on the used token's row.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261125_000004_create_refresh_tokens::RefreshTokens;

#[derive(DeriveIden)]
enum Successor {
    SealedSuccessor,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(RefreshTokens::Table)
                    .add_column(text_null(Successor::SealedSuccessor))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(RefreshTokens::Table)
                    .drop_column(Successor::SealedSuccessor)
                    .to_owned(),
            )
            .await
    }
}
