//! Membership applications. At most one is open per entity and class at a time, enforced by a
//! partial unique index so that two racing applications cannot both be accepted.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261125_000010_create_membership_classes::MembershipClasses;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Applications::Table)
                    .col(uuid(Applications::Id).primary_key())
                    .col(string_len(Applications::ClassKey, 20))
                    .col(uuid(Applications::ApplicantId))
                    .col(string_len(Applications::HolderKey, 60))
                    .col(uuid_null(Applications::HolderAccountId))
                    .col(uuid_null(Applications::HolderOrganizationId))
                    .col(text(Applications::Statement))
                    .col(boolean(Applications::Disclose))
                    .col(string_len(Applications::Status, 20))
                    .col(text_null(Applications::DecisionReason))
                    .col(uuid_null(Applications::DecidedBy))
                    .col(timestamp_with_time_zone(Applications::SubmittedAt))
                    .col(timestamp_with_time_zone_null(Applications::DecidedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Applications::Table, Applications::ClassKey)
                            .to(MembershipClasses::Table, MembershipClasses::Key),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX uq_applications_open ON applications (class_key, holder_key) \
                 WHERE status = 'SUBMITTED'",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Applications::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Applications {
    Table,
    Id,
    ClassKey,
    ApplicantId,
    HolderKey,
    HolderAccountId,
    HolderOrganizationId,
    Statement,
    Disclose,
    Status,
    DecisionReason,
    DecidedBy,
    SubmittedAt,
    DecidedAt,
}
