//! The board of record: the directorships in office, the size rules, and seating a director.
//! Board votes on amendments and the `BOARD` role both follow the directorships in office.

pub mod query;
pub mod types;

use chrono::{Months, NaiveDate};
use entity::{
    directorship::{self, SeatKind},
    prelude::Directorship,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde_json::json;
use uuid::Uuid;

use crate::{
    audit::{self, Actor, AuditAction, Entry, SubjectKind},
    db::Tx,
    error::{ApiError, ApiResult},
    ids,
};

/// The directorships in office on `day`, oldest term first.
pub async fn in_office(
    db: &impl ConnectionTrait,
    day: NaiveDate,
) -> ApiResult<Vec<directorship::Model>> {
    Ok(Directorship::find()
        .filter(directorship::in_office_on(day))
        .order_by_asc(directorship::Column::TermStartsOn)
        .order_by_asc(directorship::Column::Id)
        .all(db)
        .await?)
}

/// Every directorship `account` ever held, latest term first.
pub async fn terms_of(
    db: &impl ConnectionTrait,
    account: Uuid,
) -> ApiResult<Vec<directorship::Model>> {
    Ok(Directorship::find()
        .filter(directorship::Column::AccountId.eq(account))
        .order_by_desc(directorship::Column::TermStartsOn)
        .all(db)
        .await?)
}

/// A seat to fill.
pub struct Seat {
    pub account_id: Uuid,
    pub kind: SeatKind,
    pub starts_on: NaiveDate,
    pub term_years: i32,
    pub organization_id: Option<Uuid>,
    pub election_id: Option<Uuid>,
}

/// The last day before the term of `years` from `starts_on` ends, as the first day out of office.
pub fn term_end(starts_on: NaiveDate, years: i32) -> ApiResult<NaiveDate> {
    let months = u32::try_from(years.max(1))
        .ok()
        .and_then(|y| y.checked_mul(12))
        .ok_or_else(|| ApiError::internal("a director's term is too long"))?;
    starts_on
        .checked_add_months(Months::new(months))
        .ok_or_else(|| ApiError::internal("a director's term ends past the calendar"))
}

/// Seats a director: writes the directorship. Certification seats winners through this (and
/// audits the election); seating outside an election (the operator's command line, the tests'
/// fixtures) is audited here as `directorship.seated`.
pub async fn seat(tx: &Tx, actor: Actor, seat: Seat) -> ApiResult<directorship::Model> {
    let row = directorship::Model {
        id: ids::new_key(),
        account_id: seat.account_id,
        kind: seat.kind,
        term_starts_on: seat.starts_on,
        term_ends_on: term_end(seat.starts_on, seat.term_years)?,
        organization_id: seat.organization_id,
        election_id: seat.election_id,
        created_at: chrono::Utc::now(),
    };
    Directorship::insert(directorship::ActiveModel {
        id: Set(row.id),
        account_id: Set(row.account_id),
        kind: Set(row.kind),
        term_starts_on: Set(row.term_starts_on),
        term_ends_on: Set(row.term_ends_on),
        organization_id: Set(row.organization_id),
        election_id: Set(row.election_id),
        created_at: Set(row.created_at),
    })
    .exec_without_returning(tx)
    .await?;
    if seat.election_id.is_none() {
        audit::record(
            tx,
            Entry {
                actor,
                action: AuditAction::DirectorshipSeated,
                subject_kind: SubjectKind::Directorship,
                subject_id: row.id,
                summary: json!({
                    "account": row.account_id,
                    "kind": sea_orm::ActiveEnum::to_value(&row.kind),
                    "termStartsOn": row.term_starts_on,
                    "termEndsOn": row.term_ends_on,
                    "organization": row.organization_id,
                }),
            },
        )
        .await?;
    }
    Ok(row)
}
