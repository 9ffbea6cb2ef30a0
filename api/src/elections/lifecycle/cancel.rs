//! Cancelling an election before its close.

use chrono::Utc;
use entity::election::{self, ElectionState};
use sea_orm::sea_query::Expr;
use serde_json::json;
use uuid::Uuid;

use crate::{
    audit::AuditAction,
    auth::Viewer,
    db::Tx,
    elections::lifecycle::{audit_step, lock, transition},
    elections::recusal,
    error::ApiResult,
};

/// Cancels an election before its close, with a reason: DRAFT, NOMINATING or VOTING →
/// CANCELLED. Ballots already cast are never counted, and are rewritten as a close rewrites
/// them (`ballots::reshuffle`), so that a cancelled election keeps no more trace of the order
/// of casting than a closed one.
#[tracing::instrument(skip_all, fields(election = %id))]
pub async fn cancel(
    tx: &Tx,
    viewer: &Viewer,
    id: Uuid,
    reason: String,
) -> ApiResult<election::Model> {
    viewer.require_account()?;
    let current = lock(tx, id).await?;
    recusal::require_impartial(tx, viewer, id).await?;
    if current.state == ElectionState::Voting {
        crate::elections::ballots::reshuffle(tx, id).await?;
    }
    let now = Utc::now();
    let row = transition(
        tx,
        id,
        &[
            ElectionState::Draft,
            ElectionState::Nominating,
            ElectionState::Voting,
        ],
        ElectionState::Cancelled,
        |u| {
            u.col_expr(election::Column::CancelledAt, Expr::value(now))
                .col_expr(election::Column::CancelReason, Expr::value(reason.clone()))
        },
    )
    .await?;
    audit_step(
        tx,
        viewer,
        AuditAction::ElectionCancelled,
        id,
        json!({ "reason": reason }),
    )
    .await?;
    Ok(row)
}
