//! A sponsorship's `ends_on` becomes the day it ends rather than its last day, so that from a
//! date to the same date a year later is one year. Stored periods keep their length: each end
//! moves one day later.

use sea_orm_migration::{
    prelude::*,
    sea_orm::{ConnectionTrait, DbBackend},
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        shift(manager, 1).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        shift(manager, -1).await
    }
}

async fn shift(manager: &SchemaManager<'_>, days: i32) -> Result<(), DbErr> {
    let sql = match manager.get_database_backend() {
        DbBackend::Postgres => format!("UPDATE sponsorships SET ends_on = ends_on + ({days})"),
        _ => format!("UPDATE sponsorships SET ends_on = date(ends_on, '{days:+} day')"),
    };
    manager.get_connection().execute_unprepared(&sql).await?;
    Ok(())
}
