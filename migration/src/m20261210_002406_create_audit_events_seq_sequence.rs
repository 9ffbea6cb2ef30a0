//! On PostgreSQL, a command takes its entry's `seq` from a sequence, which no transaction holds
//! (the one-row `audit_head` it bumped before held every writer of every replica behind it).
//! The sequence starts after the last chained entry. SQLite runs one writer at a time anyway
//! and takes `MAX(seq) + 1`.

use sea_orm_migration::{prelude::*, sea_orm::DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        db.execute_unprepared("CREATE SEQUENCE audit_events_seq")
            .await?;
        db.execute_unprepared(
            "SELECT setval('audit_events_seq', COALESCE((SELECT MAX(seq) FROM audit_events), 0) + 1, false)",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        manager
            .get_connection()
            .execute_unprepared("DROP SEQUENCE audit_events_seq")
            .await?;
        Ok(())
    }
}
