//! Each account's choice about non-essential mail. No row means the default: send it.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261125_000001_create_accounts::Accounts;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(EmailPreferences::Table)
                    .col(uuid(EmailPreferences::AccountId).primary_key())
                    .col(boolean(EmailPreferences::NonEssential))
                    .col(timestamp_with_time_zone(EmailPreferences::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(EmailPreferences::Table, EmailPreferences::AccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(EmailPreferences::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum EmailPreferences {
    Table,
    AccountId,
    NonEssential,
    UpdatedAt,
}
