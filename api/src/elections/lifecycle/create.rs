//! Creating an election in DRAFT: its dates checked against the policy, and the one Community
//! Director seat.

use chrono::{DateTime, Utc};
use entity::{
    directorship,
    election::{self, ElectionState, SeatKind},
    prelude::{Directorship, Election as Elections},
};
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder,
};
use serde_json::json;

use crate::{
    audit::AuditAction,
    auth::Viewer,
    db::Tx,
    elections::lifecycle::{audit_step, days},
    error::{ApiError, ApiResult},
    ids, policy,
};

/// A new election, as the committee describes it.
pub struct CreateElection {
    pub title: String,
    pub kind: SeatKind,
    pub seats: i32,
    pub nominations_close_at: DateTime<Utc>,
    pub voting_opens_at: DateTime<Utc>,
    pub voting_closes_at: DateTime<Utc>,
}

/// Creates an election in DRAFT. The nominee list must close the policy's days before voting
/// opens, and voting must last at least the policy's minimum; a Community Director election
/// fills one seat.
#[tracing::instrument(skip_all)]
pub async fn create(tx: &Tx, viewer: &Viewer, input: CreateElection) -> ApiResult<election::Model> {
    let me = viewer.require_account()?;
    let policy = policy::current(tx).await?;
    let now = Utc::now();
    if input.kind == SeatKind::Community && input.seats != 1 {
        return Err(ApiError::bad_input(
            crate::field!(input.seats),
            "a Community Director election fills exactly one seat",
        ));
    }
    if !(1..=policy.board_maximum_size.max(1)).contains(&input.seats) {
        return Err(ApiError::bad_input(
            crate::field!(input.seats),
            format!(
                "`input.seats` must be between 1 and {}",
                policy.board_maximum_size
            ),
        ));
    }
    if input.nominations_close_at <= now {
        return Err(ApiError::bad_input(
            crate::field!(input.nominations_close_at),
            "nominations must close in the future",
        ));
    }
    let latest_close = input.voting_opens_at - days(policy.nominee_list_closes_days_before);
    if input.nominations_close_at > latest_close {
        return Err(ApiError::bad_input(
            crate::field!(input.nominations_close_at),
            format!(
                "the nominee list must close at least {} days before voting opens, by {}",
                policy.nominee_list_closes_days_before,
                latest_close.to_rfc3339()
            ),
        ));
    }
    let earliest_end = input.voting_opens_at + days(policy.minimum_election_days);
    if input.voting_closes_at <= input.voting_opens_at || input.voting_closes_at < earliest_end {
        return Err(ApiError::bad_input(
            crate::field!(input.voting_closes_at),
            format!(
                "voting must last at least {} days, until {}",
                policy.minimum_election_days,
                earliest_end.to_rfc3339()
            ),
        ));
    }
    if input.kind == SeatKind::Community {
        one_community_seat(tx, &input).await?;
    }
    let row = election::Model {
        id: ids::new_key(),
        title: input.title,
        kind: input.kind,
        seats: input.seats,
        state: ElectionState::Draft,
        nominations_close_at: input.nominations_close_at,
        voting_opens_at: input.voting_opens_at,
        voting_closes_at: input.voting_closes_at,
        extensions: 0,
        created_by: me.id,
        created_at: now,
        nominations_opened_at: None,
        voting_opened_at: None,
        closed_at: None,
        certified_at: None,
        cancelled_at: None,
        cancel_reason: None,
        rules: None,
        result: None,
        updated_at: now,
    };
    Elections::insert(row.clone().into_active_model().reset_all())
        .exec_without_returning(tx)
        .await?;
    audit_step(
        tx,
        viewer,
        AuditAction::ElectionCreated,
        row.id,
        json!({
            "title": row.title,
            "kind": row.kind.to_value(),
            "seats": row.seats,
            "nominationsCloseAt": row.nominations_close_at,
            "votingOpensAt": row.voting_opens_at,
            "votingClosesAt": row.voting_closes_at,
        }),
    )
    .await?;
    Ok(row)
}

/// There is one Community Director seat: a new Community Director election is refused while
/// another is under way, before its close (`CONFLICT`; a closed one that cannot be certified
/// must not block the seat for good, and certification checks the seat again), or when the seat is held past the day its winner's term
/// would start (`BAD_USER_INPUT` on `votingClosesAt`). Under the policy's row lock, so that two
/// such elections created at once cannot both pass.
async fn one_community_seat(tx: &Tx, input: &CreateElection) -> ApiResult<()> {
    policy::locked(tx).await?;
    let under_way = Elections::find()
        .filter(election::Column::Kind.eq(SeatKind::Community))
        .filter(election::Column::State.is_in([
            ElectionState::Draft,
            ElectionState::Nominating,
            ElectionState::Voting,
        ]))
        .one(tx)
        .await?;
    if under_way.is_some() {
        return Err(ApiError::conflict(
            "one Community Director seat: another Community Director election is under way",
        ));
    }
    let term_starts = input.voting_closes_at.date_naive();
    let held = Directorship::find()
        .filter(directorship::Column::Kind.eq(SeatKind::Community))
        .filter(directorship::Column::TermEndsOn.gt(term_starts))
        .order_by_desc(directorship::Column::TermEndsOn)
        .one(tx)
        .await?;
    if let Some(seat) = held {
        return Err(ApiError::bad_input(
            crate::field!(input.voting_closes_at),
            format!(
                "one Community Director seat: it is held until {}; the election that fills it closes on or after that day",
                seat.term_ends_on
            ),
        ));
    }
    Ok(())
}
