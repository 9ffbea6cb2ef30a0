//! When each account represented each organization: the one writer of `representation_periods`
//! (called by the commands that add and remove representatives, in their transaction), and the
//! question the own-case rule asks of it.

use chrono::{DateTime, Duration, Utc};
use entity::{prelude::RepresentationPeriod, representation_period};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, Set, sea_query::Expr,
};
use uuid::Uuid;

use crate::{db::Tx, error::ApiResult};

/// Opens a period: `account_id` represents `organization_id` from `at`.
pub(super) async fn started(
    tx: &Tx,
    organization_id: Uuid,
    account_id: Uuid,
    at: DateTime<Utc>,
) -> ApiResult<()> {
    representation_period::ActiveModel {
        organization_id: Set(organization_id),
        account_id: Set(account_id),
        started_at: Set(at),
        ended_at: Set(None),
    }
    .insert(tx)
    .await?;
    Ok(())
}

/// Closes the open period of `account_id` for `organization_id` at `at`.
pub(super) async fn ended(
    tx: &Tx,
    organization_id: Uuid,
    account_id: Uuid,
    at: DateTime<Utc>,
) -> ApiResult<()> {
    RepresentationPeriod::update_many()
        .col_expr(representation_period::Column::EndedAt, Expr::value(at))
        .filter(representation_period::Column::OrganizationId.eq(organization_id))
        .filter(representation_period::Column::AccountId.eq(account_id))
        .filter(representation_period::Column::EndedAt.is_null())
        .exec(tx)
        .await?;
    Ok(())
}

/// The earliest moment the own-case rule looks back to for a case opened at `opened_at`: the
/// opening itself, or `look_back_days` ago, whichever is earlier.
pub fn look_back_from(opened_at: DateTime<Utc>, look_back_days: i32) -> DateTime<Utc> {
    opened_at.min(Utc::now() - Duration::days(i64::from(look_back_days)))
}

/// Whether `account_id` represented `organization_id` at any moment from `since` until now
/// (including now).
pub async fn represented_since(
    db: &impl ConnectionTrait,
    account_id: Uuid,
    organization_id: Uuid,
    since: DateTime<Utc>,
) -> ApiResult<bool> {
    Ok(RepresentationPeriod::find()
        .filter(representation_period::Column::OrganizationId.eq(organization_id))
        .filter(representation_period::Column::AccountId.eq(account_id))
        .filter(
            Condition::any()
                .add(representation_period::Column::EndedAt.is_null())
                .add(representation_period::Column::EndedAt.gte(since)),
        )
        .count(db)
        .await?
        > 0)
}
