//! Membership-specific questions about holders; the holder itself is `crate::holders`, shared
//! with mirrors and sponsors.

use async_graphql::Context;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::error::ApiResult;

pub use crate::holders::*;

/// Whether the viewer holds, or represents a holder of, a membership with one of `statuses`
/// today.
pub async fn viewer_has_membership(
    ctx: &Context<'_>,
    statuses: &[crate::members::status::MembershipStatus],
) -> ApiResult<bool> {
    use sea_orm::{Condition, PaginatorTrait};
    let keys = viewer_holder_keys(ctx).await?;
    if keys.is_empty() {
        return Ok(false);
    }
    let grace = crate::policy::loader::policy(ctx).await?.grace_period_days;
    let today = chrono::Utc::now().date_naive();
    let any_status = statuses.iter().fold(Condition::any(), |cond, status| {
        cond.add(crate::members::status::condition(*status, today, grace))
    });
    let db = ctx.data::<sea_orm::DatabaseConnection>()?;
    let count = entity::prelude::Membership::find()
        .filter(entity::membership::Column::HolderKey.is_in(keys))
        .filter(any_status)
        .count(db)
        .await?;
    Ok(count > 0)
}
