//! Account roles: committee powers held by a person, each grant remembered.

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
                    .table(AccountRoles::Table)
                    .col(uuid(AccountRoles::AccountId))
                    .col(string_len(AccountRoles::Role, 40))
                    .col(timestamp_with_time_zone(AccountRoles::GrantedAt))
                    .col(uuid_null(AccountRoles::GrantedBy))
                    .primary_key(
                        Index::create()
                            .col(AccountRoles::AccountId)
                            .col(AccountRoles::Role),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(AccountRoles::Table, AccountRoles::AccountId)
                            .to(Accounts::Table, Accounts::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AccountRoles::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum AccountRoles {
    Table,
    AccountId,
    Role,
    GrantedAt,
    GrantedBy,
}
