//! The `BOARD` role now follows the directorships in office, and can no longer be granted by
//! hand. Each existing `BOARD` grant becomes a `GENERAL` directorship whose term starts on the
//! day of the grant and lasts the policy's `director_term_years` (3 by default), with no
//! organization and no election; the grant itself is removed. So the board that votes on
//! amendments the day after the upgrade is the board of the day before, until its terms run out
//! or an election replaces it.

use sea_orm_migration::{
    prelude::*,
    sea_orm::{
        ConnectionTrait,
        prelude::{ChronoDateTimeUtc, Uuid},
    },
};

use crate::m20261202_000003_create_directorships::Directorships;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The policy's `director_term_years` (3 when there is no policy row yet).
pub(crate) async fn director_term_years(db: &impl ConnectionTrait) -> Result<i32, DbErr> {
    Ok(db
        .query_one(
            &Query::select()
                .column(Alias::new("director_term_years"))
                .from(Alias::new("governance_policy"))
                .to_owned(),
        )
        .await?
        .map(|row| row.try_get("", "director_term_years"))
        .transpose()?
        .unwrap_or(3))
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let term_years = director_term_years(db).await?;
        let grants = db
            .query_all(
                &Query::select()
                    .columns([Alias::new("account_id"), Alias::new("granted_at")])
                    .from(Alias::new("account_roles"))
                    .and_where(Expr::col(Alias::new("role")).eq("BOARD"))
                    .to_owned(),
            )
            .await?;
        let now = chrono::Utc::now();
        for grant in grants {
            let account: Uuid = grant.try_get("", "account_id")?;
            let granted_at: ChronoDateTimeUtc = grant.try_get("", "granted_at")?;
            let starts = granted_at.date_naive();
            let months = std::cmp::max(term_years, 1).unsigned_abs() * 12;
            let ends = starts
                .checked_add_months(chrono::Months::new(months))
                .unwrap_or(starts);
            let insert = Query::insert()
                .into_table(Directorships::Table)
                .columns([
                    Directorships::Id,
                    Directorships::AccountId,
                    Directorships::Kind,
                    Directorships::TermStartsOn,
                    Directorships::TermEndsOn,
                    Directorships::CreatedAt,
                ])
                .values([
                    Uuid::now_v7().into(),
                    account.into(),
                    "GENERAL".into(),
                    starts.into(),
                    ends.into(),
                    now.into(),
                ])
                .map_err(|err| DbErr::Custom(err.to_string()))?
                .to_owned();
            db.execute(&insert).await?;
        }
        db.execute(
            &Query::delete()
                .from_table(Alias::new("account_roles"))
                .and_where(Expr::col(Alias::new("role")).eq("BOARD"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The directorships go with their table; grants are not recreated.
        let _ = manager;
        Ok(())
    }
}
