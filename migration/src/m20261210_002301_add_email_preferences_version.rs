//! Each change of an account's mail choice counts up a version, which every unsubscribe link
//! signs: a link sent under an older choice no longer opts the account out once it asked for
//! reminders again.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(EmailPreferences::Table)
                    .add_column(integer(EmailPreferences::Version).default(0))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(EmailPreferences::Table)
                    .drop_column(EmailPreferences::Version)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum EmailPreferences {
    Table,
    Version,
}
