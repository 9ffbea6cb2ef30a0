//! Signed checkpoints of the audit chain: the head's sequence number and hash, signed with the
//! server's key, so that a truncated log shows even when its head row was reset.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuditCheckpoints::Table)
                    .col(uuid(AuditCheckpoints::Id).primary_key())
                    .col(big_integer(AuditCheckpoints::Seq))
                    .col(string_len(AuditCheckpoints::Hash, 64))
                    .col(timestamp_with_time_zone(AuditCheckpoints::SignedAt))
                    .col(string_len(AuditCheckpoints::KeyId, 64))
                    .col(string_len(AuditCheckpoints::Signature, 200))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("audit_checkpoints_by_seq")
                    .table(AuditCheckpoints::Table)
                    .col(AuditCheckpoints::Seq)
                    .col(AuditCheckpoints::SignedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AuditCheckpoints::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum AuditCheckpoints {
    Table,
    Id,
    Seq,
    Hash,
    SignedAt,
    KeyId,
    Signature,
}
