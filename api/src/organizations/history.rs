//! When each account represented each organization: the one writer of `representation_periods`
//! (called by the commands that add and remove representatives, in their transaction). The
//! question the own-case rule asks of it is `holders::Holder::was_own_case_of`.

use chrono::{DateTime, Utc};
use entity::{prelude::RepresentationPeriod, representation_period};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, sea_query::Expr};
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
