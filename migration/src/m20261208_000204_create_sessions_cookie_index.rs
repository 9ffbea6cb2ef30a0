//! Finds a cookie session by its credential's hash, one session per credential.

use sea_orm_migration::prelude::*;

use crate::{
    m20261125_000003_create_sessions::Sessions, m20261208_000203_add_sessions_cookie::Cookie,
};

const NAME: &str = "idx_sessions_cookie_hash";

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(NAME)
                    .table(Sessions::Table)
                    .col(Cookie::CookieHash)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name(NAME).table(Sessions::Table).to_owned())
            .await
    }
}
