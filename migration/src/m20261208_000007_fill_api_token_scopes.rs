//! Copies each API token's comma-separated scopes into `api_token_scopes`. A name no release
//! granted stops the migration, naming the token: a token's powers are exactly what was granted,
//! so an unknown one is neither dropped nor kept in silence.

use sea_orm_migration::prelude::*;

use crate::{
    comma_list::CommaList, m20261125_000007_create_api_tokens::ApiTokens,
    m20261208_000006_create_api_token_scopes::ApiTokenScopes,
};

/// The scopes, and every scope a release granted.
fn scopes() -> CommaList {
    CommaList {
        table: ApiTokens::Table.into_iden(),
        id: ApiTokens::Id.into_iden(),
        list: ApiTokens::Scopes.into_iden(),
        rows: ApiTokenScopes::Table.into_iden(),
        row_id: ApiTokenScopes::ApiTokenId.into_iden(),
        row_name: ApiTokenScopes::Scope.into_iden(),
        known: &["SPONSORS_READ", "MEMBERS_READ"],
        what: "API token",
    }
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        scopes().split(manager.get_connection()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        scopes().join(manager.get_connection()).await
    }
}
