//! The mail outbox: each message written in the transaction that caused it, sent by the workers.
//! A dated reminder carries a key so that it is written once.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(EmailMessages::Table)
                    .col(uuid(EmailMessages::Id).primary_key())
                    .col(uuid_null(EmailMessages::AccountId))
                    .col(string_len(EmailMessages::ToAddress, 320))
                    .col(string_len(EmailMessages::Kind, 40))
                    .col(string_len(EmailMessages::Subject, 300))
                    .col(text_null(EmailMessages::Body))
                    .col(boolean(EmailMessages::Essential))
                    .col(string_len_null(EmailMessages::DedupKey, 200).unique_key())
                    .col(string_len(EmailMessages::Status, 20))
                    .col(integer(EmailMessages::Attempts))
                    .col(timestamp_with_time_zone(EmailMessages::NextAttemptAt))
                    .col(string_len_null(EmailMessages::LastError, 500))
                    .col(timestamp_with_time_zone(EmailMessages::CreatedAt))
                    .col(timestamp_with_time_zone_null(EmailMessages::SentAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_email_messages_due")
                    .table(EmailMessages::Table)
                    .col(EmailMessages::Status)
                    .col(EmailMessages::NextAttemptAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(EmailMessages::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum EmailMessages {
    Table,
    Id,
    AccountId,
    ToAddress,
    Kind,
    Subject,
    Body,
    Essential,
    DedupKey,
    Status,
    Attempts,
    NextAttemptAt,
    LastError,
    CreatedAt,
    SentAt,
}
