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
        node_ids::nomination_id_text,
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
/// VOTING → CLOSED, in one audit entry (`election.closed`) with the published ballots (each
/// receipt's SHA-256 in hex and its ranking of nomination IDs, in receipt-hash order): a voter's
/// proof that their ballot is in the log (`Election.ballotsAuditEntryId`). While turnout is below the frozen threshold and extensions remain, voting is
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
    // The published ballots go into the close's entry, so that a voter can prove their receipt
    // is in the log: in receipt-hash order, which owes nothing to who cast them or when.
    let published: Vec<serde_json::Value> = published::published_ballots(tx, id, 1.0)
        .await?
        .into_iter()
        .map(|ballot| {
            json!({
                "receipt": ballot.receipt_hash,
                "ranking": ballot.ranking.into_iter().map(nomination_id_text).collect::<Vec<_>>(),
            })
        })
        .collect();
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
            "ballots": published,
        }),
    )
    .await?;
    Ok(Closed::Counted(row))
}
