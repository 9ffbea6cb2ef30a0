//! The audit log: append-only entries, each chained to the previous one by a hash, and the
//! one-row head that serializes appends.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuditEvents::Table)
                    .col(big_integer(AuditEvents::Seq).primary_key())
                    .col(uuid(AuditEvents::Id).unique_key())
                    .col(timestamp_with_time_zone(AuditEvents::OccurredAt))
                    .col(string_len(AuditEvents::ActorKind, 20))
                    .col(uuid_null(AuditEvents::ActorId))
                    .col(string_len(AuditEvents::Action, 80))
                    .col(string_len(AuditEvents::SubjectKind, 40))
                    .col(uuid(AuditEvents::SubjectId))
                    .col(text(AuditEvents::Summary))
                    .col(string_len(AuditEvents::PrevHash, 64))
                    .col(string_len(AuditEvents::Hash, 64))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_audit_events_subject")
                    .table(AuditEvents::Table)
                    .col(AuditEvents::SubjectId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AuditHead::Table)
                    .col(integer(AuditHead::Id).primary_key())
                    .col(big_integer(AuditHead::Seq))
                    .col(string_len(AuditHead::Hash, 64))
                    .to_owned(),
            )
            .await?;
        let genesis = Query::insert()
            .into_table(AuditHead::Table)
            .columns([AuditHead::Id, AuditHead::Seq, AuditHead::Hash])
            .values_panic([1.into(), 0i64.into(), "0".repeat(64).into()])
            .to_owned();
        manager.exec_stmt(genesis).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AuditHead::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(AuditEvents::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum AuditEvents {
    Table,
    Seq,
    Id,
    OccurredAt,
    ActorKind,
    ActorId,
    Action,
    SubjectKind,
    SubjectId,
    Summary,
    PrevHash,
    Hash,
}

#[derive(DeriveIden)]
pub enum AuditHead {
    Table,
    Id,
    Seq,
    Hash,
}
