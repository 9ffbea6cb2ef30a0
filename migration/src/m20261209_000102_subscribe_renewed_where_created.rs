//! `sponsorship.renewed` is new: a renewal was told as `sponsorship.created` before. Every
//! endpoint subscribed to `sponsorship.created` is subscribed to `sponsorship.renewed` too, so
//! that none stops hearing of renewals.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "INSERT INTO webhook_endpoint_events (endpoint_id, event)
                 SELECT endpoint_id, 'sponsorship.renewed' FROM webhook_endpoint_events
                 WHERE event = 'sponsorship.created'",
            )
            .await
            .map(drop)
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "DELETE FROM webhook_endpoint_events WHERE event = 'sponsorship.renewed'",
            )
            .await
            .map(drop)
    }
}
