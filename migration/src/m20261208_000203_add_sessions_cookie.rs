//! A session may be carried by a cookie instead of tokens: the cookie's credential, stored as
//! its SHA-256 only, and when the session ends by itself.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261125_000003_create_sessions::Sessions;

#[derive(DeriveIden)]
pub enum Cookie {
    CookieHash,
    CookieExpiresAt,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds one at a time.
        manager
            .alter_table(
                Table::alter()
                    .table(Sessions::Table)
                    .add_column(string_len_null(Cookie::CookieHash, 64))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Sessions::Table)
                    .add_column(timestamp_with_time_zone_null(Cookie::CookieExpiresAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Cookie::CookieExpiresAt, Cookie::CookieHash] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Sessions::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
