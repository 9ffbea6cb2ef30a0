//! An integration's scopes, one typed row per scope, as `api_token_scopes` keeps a token's.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261210_002201_create_integrations::Integrations;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(IntegrationScopes::Table)
                    .col(uuid(IntegrationScopes::IntegrationId))
                    .col(string_len(IntegrationScopes::Scope, 40))
                    .primary_key(
                        Index::create()
                            .col(IntegrationScopes::IntegrationId)
                            .col(IntegrationScopes::Scope),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(IntegrationScopes::Table, IntegrationScopes::IntegrationId)
                            .to(Integrations::Table, Integrations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(IntegrationScopes::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum IntegrationScopes {
    Table,
    IntegrationId,
    Scope,
}
