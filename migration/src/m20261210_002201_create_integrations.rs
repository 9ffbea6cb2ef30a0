//! Integrations: named machine clients that belong to the foundation (no organization) or to an
//! organization, never to a person. `created_by` is a plain column with no foreign key, so the
//! integration outlives whoever made it (their role revoked, their representation ended).

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261125_000005_create_organizations::Organizations;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Integrations::Table)
                    .col(uuid(Integrations::Id).primary_key())
                    .col(string_len(Integrations::Name, 100))
                    .col(uuid_null(Integrations::OrganizationId))
                    .col(uuid_null(Integrations::CreatedBy))
                    .col(timestamp_with_time_zone(Integrations::CreatedAt))
                    .col(timestamp_with_time_zone_null(Integrations::RevokedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Integrations::Table, Integrations::OrganizationId)
                            .to(Organizations::Table, Organizations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Integrations::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Integrations {
    Table,
    Id,
    Name,
    OrganizationId,
    CreatedBy,
    CreatedAt,
    RevokedAt,
}
