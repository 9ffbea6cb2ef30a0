//! Every representative on file gets an open period starting when their representative row was
//! made. Periods that ended before there was a history are not known, and are not invented.

use sea_orm_migration::{prelude::*, sea_orm::ConnectionTrait};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "INSERT INTO representation_periods (organization_id, account_id, started_at) \
                 SELECT organization_id, account_id, added_at FROM organization_representatives",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DELETE FROM representation_periods")
            .await?;
        Ok(())
    }
}
