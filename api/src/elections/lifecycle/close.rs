//! Closing voting: the count and its result, or an extension while turnout is low.

use chrono::Utc;
use entity::election::{self, ElectionState};
use sea_orm::sea_query::Expr;
use serde_json::json;
use uuid::Uuid;

use crate::{
    audit::AuditAction,
    auth::Viewer,
    db::Tx,
    elections::recusal,
    elections::{
        ballots,
        lifecycle::{audit_step, days, lock, transition},
        nominations, published,
        record::FrozenRules,
        roll,
    },
    error::{ApiError, ApiResult},
};

/// What closing did.
pub enum Closed {
    /// Counted and CLOSED.
    Counted(election::Model),
    /// Turnout was below the threshold: voting runs on until the new close.
    Extended(election::Model),
}

/// Closes voting once its time has come: counts the ballots by Meek STV and stores the result,
/// VOTING → CLOSED. While turnout is below the frozen threshold and extensions remain, voting is
/// extended instead.
#[tracing::instrument(skip_all, fields(election = %id))]
pub async fn close(tx: &Tx, viewer: &Viewer, id: Uuid) -> ApiResult<Closed> {
    viewer.require_account()?;
    // Ballots being cast now finish first; later ones find the election closed.
    let current = lock(tx, id).await?;
    recusal::require_impartial(tx, viewer, id).await?;
    let now = Utc::now();
    if current.state != ElectionState::Voting {
        return Err(ApiError::conflict("the election is not voting"));
    }
    if now < current.voting_closes_at {
        return Err(ApiError::conflict(format!(
            "voting is open until {}",
            current.voting_closes_at.to_rfc3339()
        )));
    }
    let rules = FrozenRules::parse(current.rules.as_deref())?;
    let voted = roll::voted(tx, id).await?;
    let turnout = if rules.roll_size == 0 {
        1.0
    } else {
        voted as f64 / rules.roll_size as f64
    };
    if rules.turnout_threshold > 0.0
        && turnout < rules.turnout_threshold
        && current.extensions < rules.max_extensions
        && rules.extension_days > 0
    {
        let until = current.voting_closes_at.max(now) + days(rules.extension_days);
        let extensions = current.extensions + 1;
        let row = transition(
            tx,
            id,
            &[ElectionState::Voting],
            ElectionState::Voting,
            |u| {
                u.col_expr(election::Column::VotingClosesAt, Expr::value(until))
                    .col_expr(election::Column::Extensions, Expr::value(extensions))
            },
        )
        .await?;
        audit_step(
            tx,
            viewer,
            AuditAction::ElectionVotingExtended,
            id,
            json!({ "voted": voted, "rollSize": rules.roll_size, "votingClosesAt": until, "extension": extensions }),
        )
        .await?;
        return Ok(Closed::Extended(row));
    }
    let disqualified = nominations::disqualified(tx, id).await?;
    let candidates: Vec<Uuid> = rules
        .candidates
        .iter()
        .copied()
        .filter(|c| !disqualified.contains(c))
        .collect();
    let counted = published::count_ballots(tx, &current, &rules, &candidates).await?;
    ballots::reshuffle(tx, id).await?;
    let stored = serde_json::to_string(&counted.result).map_err(ApiError::internal)?;
    let row = transition(
        tx,
        id,
        &[ElectionState::Voting],
        ElectionState::Closed,
        |u| {
            u.col_expr(election::Column::ClosedAt, Expr::value(now))
                .col_expr(election::Column::Result, Expr::value(stored))
        },
    )
    .await?;
    audit_step(
        tx,
        viewer,
        AuditAction::ElectionClosed,
        id,
        json!({
            "voted": voted,
            "rollSize": rules.roll_size,
            "elected": counted.result.elected,
            "quota": counted.result.quota,
            "seed": counted.result.seed,
            "castSponsorScale": counted.result.cast_sponsor_scale,
        }),
    )
    .await?;
    Ok(Closed::Counted(row))
}
