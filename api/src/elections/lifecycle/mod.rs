//! An election's life: created by the committee, nominations opened, voting opened with a frozen
//! roll and nominee list, closed and counted (or extended for low turnout), certified (seating
//! the winners), or cancelled before the close. One file a step; each command runs in the
//! caller's transaction, reads the election under its row lock ([`lock`]), moves its state with
//! a conditional update (`transition`), and records its audit entry (`audit_step`). The
//! caller checked the ELECTION_COMMITTEE role.

pub mod cancel;
pub mod certify;
pub mod close;
pub mod create;
pub mod open;

use chrono::{Duration, Utc};
use entity::{
    election::{self, ElectionState},
    prelude::Election as Elections,
};
use sea_orm::{
    ActiveEnum, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, UpdateMany,
    sea_query::Expr,
};
use uuid::Uuid;

use crate::{
    audit::{self, Actor, AuditAction, Entry, SubjectKind},
    auth::Viewer,
    db::Tx,
    error::{ApiError, ApiResult, corrupt_row},
};

/// The election `id`; `NOT_FOUND` when there is none.
pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> ApiResult<election::Model> {
    Elections::find_by_id(id)
        .one(db)
        .await
        .map_err(corrupt_row("elections", id))?
        .ok_or_else(|| ApiError::not_found("election"))
}

/// Reads the election under its row lock (on SQLite the write transaction already holds the
/// database's lock), so that a ballot and the close cannot interleave.
pub async fn lock(tx: &Tx, id: Uuid) -> ApiResult<election::Model> {
    Elections::find_by_id(id)
        .lock_exclusive()
        .one(tx)
        .await
        .map_err(corrupt_row("elections", id))?
        .ok_or_else(|| ApiError::not_found("election"))
}

/// Moves the election from one of `from` to `to`, with the row's other changes; `CONFLICT` when
/// it is no longer in one of `from` (another request moved it first).
async fn transition(
    tx: &Tx,
    id: Uuid,
    from: &[ElectionState],
    to: ElectionState,
    extra: impl FnOnce(UpdateMany<Elections>) -> UpdateMany<Elections>,
) -> ApiResult<election::Model> {
    let update = Elections::update_many()
        .col_expr(election::Column::State, Expr::value(to))
        .col_expr(election::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(election::Column::Id.eq(id))
        .filter(election::Column::State.is_in(from.iter().copied()));
    let moved = extra(update).exec(tx).await?;
    if moved.rows_affected == 0 {
        let names: Vec<_> = from.iter().map(ActiveEnum::to_value).collect();
        return Err(ApiError::conflict(format!(
            "the election is not {}; it cannot become {}",
            names.join(" or "),
            to.to_value()
        )));
    }
    find(tx, id).await
}

/// Records a step of an election's life.
async fn audit_step(
    tx: &Tx,
    viewer: &Viewer,
    action: AuditAction,
    election: Uuid,
    summary: serde_json::Value,
) -> ApiResult<()> {
    audit::record(
        tx,
        Entry {
            actor: Actor::of(viewer),
            action,
            subject_kind: SubjectKind::Election,
            subject_id: election,
            summary,
        },
    )
    .await
}

fn days(n: i32) -> Duration {
    Duration::days(i64::from(n.max(0)))
}
