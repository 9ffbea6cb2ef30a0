//! Endpoints made before audiences existed keep what they were promised, now under the owner's
//! right checked at each delivery: the foundation's (made by an ADMIN) read as an ADMIN, an
//! organization's also receive that organization's own undisclosed events.

use sea_orm_migration::{prelude::*, sea_orm::ConnectionTrait};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE webhook_endpoints SET audience = CASE \
                 WHEN organization_id IS NULL THEN 'ADMIN' ELSE 'ORGANIZATION' END",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Ok(())
    }
}
