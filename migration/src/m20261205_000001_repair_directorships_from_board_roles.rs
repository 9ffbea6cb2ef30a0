//! Repairs the directorships that `m20261202_000004_fill_directorships_from_board_roles` made
//! from `BOARD` grants. That migration started each term on the day of the grant, so a grant
//! older than one term became a directorship that had already ended when it was written (and
//! its holder, whose grant it deleted, silently left the board), and it recorded no
//! organization.
//!
//! This one changes only those rows: no election, and no `directorship.seated` audit entry
//! (every seat written since, by an election or the operator, has one of the two). For each:
//! - a term that had already ended on the day the row was written (`created_at`, the day of
//!   the upgrade) now starts that day and runs the policy's `director_term_years`, as if the
//!   director had been seated at the upgrade, so the board of the day after the upgrade is the
//!   board of the day before; a term still running then is left as it was;
//! - a row with no organization gets the organization its director represents, when there is
//!   exactly one.
//!
//! `m20261202_000004` itself is left as it was (but for sharing its reading of the policy), so
//! databases that ran it and fresh ones end the
//! same: on a fresh database the two run one after the other. Running this twice changes
//! nothing more.

use sea_orm_migration::{
    prelude::*,
    sea_orm::{
        ConnectionTrait,
        prelude::{ChronoDate, ChronoDateTimeUtc, Uuid},
    },
};

use crate::{
    m20261202_000003_create_directorships::Directorships,
    m20261202_000004_fill_directorships_from_board_roles::director_term_years,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let term_years = director_term_years(db).await?;
        let seated_on_record = Query::select()
            .column(Alias::new("subject_id"))
            .from(Alias::new("audit_events"))
            .and_where(Expr::col(Alias::new("subject_kind")).eq("Directorship"))
            .to_owned();
        let migrated = db
            .query_all(
                &Query::select()
                    .columns([
                        Directorships::Id,
                        Directorships::AccountId,
                        Directorships::TermEndsOn,
                        Directorships::OrganizationId,
                        Directorships::CreatedAt,
                    ])
                    .from(Directorships::Table)
                    .and_where(Expr::col(Directorships::ElectionId).is_null())
                    .and_where(Expr::col(Directorships::Id).not_in_subquery(seated_on_record))
                    .to_owned(),
            )
            .await?;
        for row in migrated {
            let id: Uuid = row.try_get("", "id")?;
            let account: Uuid = row.try_get("", "account_id")?;
            let ends: ChronoDate = row.try_get("", "term_ends_on")?;
            let organization: Option<Uuid> = row.try_get("", "organization_id")?;
            let written: ChronoDateTimeUtc = row.try_get("", "created_at")?;
            let mut update = Query::update();
            update
                .table(Directorships::Table)
                .and_where(Expr::col(Directorships::Id).eq(id));
            let mut changed = false;
            let migrated_on = written.date_naive();
            if ends <= migrated_on {
                let months = std::cmp::max(term_years, 1).unsigned_abs() * 12;
                let new_end = migrated_on
                    .checked_add_months(chrono::Months::new(months))
                    .ok_or_else(|| {
                        DbErr::Custom("a director's term ends past the calendar".into())
                    })?;
                update
                    .value(Directorships::TermStartsOn, migrated_on)
                    .value(Directorships::TermEndsOn, new_end);
                changed = true;
            }
            if organization.is_none() {
                let represented = db
                    .query_all(
                        &Query::select()
                            .column(Alias::new("organization_id"))
                            .from(Alias::new("organization_representatives"))
                            .and_where(Expr::col(Alias::new("account_id")).eq(account))
                            .to_owned(),
                    )
                    .await?;
                if let [only] = represented.as_slice() {
                    let org: Uuid = only.try_get("", "organization_id")?;
                    update.value(Directorships::OrganizationId, org);
                    changed = true;
                }
            }
            if changed {
                db.execute(&update).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        // A repair of data: the rows are not put back as they were.
        Ok(())
    }
}
