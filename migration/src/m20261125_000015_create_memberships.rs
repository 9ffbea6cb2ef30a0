//! Memberships. One per entity per class: the unique key on (class, holder) enforces it.

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
                    .table(Memberships::Table)
                    .col(uuid(Memberships::Id).primary_key())
                    .col(string_len(Memberships::ClassKey, 20))
                    .col(string_len(Memberships::HolderKey, 60))
                    .col(uuid_null(Memberships::HolderAccountId))
                    .col(uuid_null(Memberships::HolderOrganizationId))
                    .col(string_len(Memberships::Status, 20))
                    .col(date(Memberships::Since))
                    .col(date_null(Memberships::EndsOn))
                    .col(date_null(Memberships::GraceFrom))
                    .col(integer(Memberships::VoteWeight))
                    .col(boolean(Memberships::Disclose))
                    .col(string_len_null(Memberships::NoticeKind, 20))
                    .col(text_null(Memberships::NoticeReason))
                    .col(date_null(Memberships::NoticeEffectiveOn))
                    .col(text_null(Memberships::NoticeResponse))
                    .col(text_null(Memberships::StatusReason))
                    .col(timestamp_with_time_zone(Memberships::CreatedAt))
                    .col(timestamp_with_time_zone(Memberships::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Memberships::Table, Memberships::ClassKey)
                            .to(MembershipClasses::Table, MembershipClasses::Key),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_memberships_class_holder")
                    .table(Memberships::Table)
                    .col(Memberships::ClassKey)
                    .col(Memberships::HolderKey)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Memberships::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Memberships {
    Table,
    Id,
    ClassKey,
    HolderKey,
    HolderAccountId,
    HolderOrganizationId,
    Status,
    Since,
    EndsOn,
    GraceFrom,
    VoteWeight,
    Disclose,
    NoticeKind,
    NoticeReason,
    NoticeEffectiveOn,
    NoticeResponse,
    StatusReason,
    CreatedAt,
    UpdatedAt,
}
