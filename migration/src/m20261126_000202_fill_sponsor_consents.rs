//! Moves display consent from sponsorships to their sponsors: a sponsor's consent is that of its
//! latest sponsorship that has started, or of its latest if none has, cancelled ones last.

use sea_orm_migration::{
    prelude::*,
    sea_orm::{ConnectionTrait, DbBackend},
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Written as the entities write timestamps, so that they read back on either backend.
        let now = match manager.get_database_backend() {
            DbBackend::Postgres => "CURRENT_TIMESTAMP",
            _ => "strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')",
        };
        let sql = format!(
            "INSERT INTO sponsor_consents (sponsor_key, disclose, updated_at) \
             SELECT sponsor_key, disclose, {now} FROM ( \
               SELECT sponsor_key, disclose, ROW_NUMBER() OVER ( \
                 PARTITION BY sponsor_key ORDER BY \
                   CASE WHEN status = 'CANCELLED' THEN 1 ELSE 0 END, \
                   CASE WHEN starts_on <= CURRENT_DATE THEN 0 ELSE 1 END, \
                   starts_on DESC, ends_on DESC \
               ) AS latest \
               FROM sponsorships \
             ) ranked WHERE latest = 1"
        );
        manager.get_connection().execute_unprepared(&sql).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DELETE FROM sponsor_consents")
            .await?;
        Ok(())
    }
}
