//! Board elections: their state, windows, frozen rules and stored result.

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
                    .table(Elections::Table)
                    .col(uuid(Elections::Id).primary_key())
                    .col(text(Elections::Title))
                    .col(string_len(Elections::Kind, 20))
                    .col(integer(Elections::Seats))
                    .col(string_len(Elections::State, 20))
                    .col(timestamp_with_time_zone(Elections::NominationsCloseAt))
                    .col(timestamp_with_time_zone(Elections::VotingOpensAt))
                    .col(timestamp_with_time_zone(Elections::VotingClosesAt))
                    .col(integer(Elections::Extensions).default(0))
                    .col(uuid(Elections::CreatedBy))
                    .col(timestamp_with_time_zone(Elections::CreatedAt))
                    .col(timestamp_with_time_zone_null(
                        Elections::NominationsOpenedAt,
                    ))
                    .col(timestamp_with_time_zone_null(Elections::VotingOpenedAt))
                    .col(timestamp_with_time_zone_null(Elections::ClosedAt))
                    .col(timestamp_with_time_zone_null(Elections::CertifiedAt))
                    .col(timestamp_with_time_zone_null(Elections::CancelledAt))
                    .col(text_null(Elections::CancelReason))
                    .col(text_null(Elections::Rules))
                    .col(text_null(Elections::Result))
                    .col(timestamp_with_time_zone(Elections::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Elections::Table, Elections::CreatedBy)
                            .to(Accounts::Table, Accounts::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_elections_state")
                    .table(Elections::Table)
                    .col(Elections::State)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Elections::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Elections {
    Table,
    Id,
    Title,
    Kind,
    Seats,
    State,
    NominationsCloseAt,
    VotingOpensAt,
    VotingClosesAt,
    Extensions,
    CreatedBy,
    CreatedAt,
    NominationsOpenedAt,
    VotingOpenedAt,
    ClosedAt,
    CertifiedAt,
    CancelledAt,
    CancelReason,
    Rules,
    Result,
    UpdatedAt,
}
