//! The sealer's scan: the entries not yet in the tree, by `seq`, from a partial index that
//! holds only them (both backends support `WHERE` on an index).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE INDEX idx_audit_events_unsealed ON audit_events (seq) \
                 WHERE leaf_index IS NULL",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX idx_audit_events_unsealed")
            .await?;
        Ok(())
    }
}
