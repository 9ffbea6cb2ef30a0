//! Opening nominations, then voting: the roll, the nominee list and the rules of the count are
//! frozen when voting opens.

use chrono::Utc;
use entity::{
    election::{self, ElectionState},
    nomination::{self, NominationResponse},
};
use sea_orm::sea_query::Expr;
use serde_json::json;
use uuid::Uuid;

use crate::{
    audit::AuditAction,
    auth::Viewer,
    bylaws::tally::sponsor_scale,
    db::Tx,
    elections::recusal,
    elections::{
        eligibility::{self, Standing},
        lifecycle::{audit_step, days, lock, transition},
        record::FrozenRules,
        roll,
    },
    error::{ApiError, ApiResult},
    notifications::mailing,
    policy,
};

/// Opens nominations: DRAFT → NOMINATING, while the nominee list has not closed yet.
#[tracing::instrument(skip_all, fields(election = %id))]
pub async fn open_nominations(tx: &Tx, viewer: &Viewer, id: Uuid) -> ApiResult<election::Model> {
    viewer.require_account()?;
    let current = lock(tx, id).await?;
    recusal::require_impartial(tx, viewer, id).await?;
    let now = Utc::now();
    if current.state == ElectionState::Draft && now >= current.nominations_close_at {
        return Err(ApiError::conflict(
            "the nominee list has already closed; cancel this election and create another",
        ));
    }
    let row = transition(
        tx,
        id,
        &[ElectionState::Draft],
        ElectionState::Nominating,
        |u| u.col_expr(election::Column::NominationsOpenedAt, Expr::value(now)),
    )
    .await?;
    audit_step(
        tx,
        viewer,
        AuditAction::ElectionNominationsOpened,
        id,
        json!({}),
    )
    .await?;
    Ok(row)
}

/// Opens voting: NOMINATING → VOTING once the nominee list has closed and the opening time has
/// come. Freezes the roll (with the influence cap's factor) and the nominee list (accepted, not
/// disqualified, eligible now), and the rules of the count.
#[tracing::instrument(skip_all, fields(election = %id))]
pub async fn open_voting(
    tx: &crate::rolls::CaughtUpTx,
    viewer: &Viewer,
    id: Uuid,
) -> ApiResult<election::Model> {
    // The memberships the roll copies were brought up to date as the transaction began.
    let tx: &Tx = tx;
    viewer.require_account()?;
    let current = lock(tx, id).await?;
    recusal::require_impartial(tx, viewer, id).await?;
    let now = Utc::now();
    if current.state != ElectionState::Nominating {
        return Err(ApiError::conflict(
            "only an election in nominations can open voting",
        ));
    }
    if now < current.nominations_close_at || now < current.voting_opens_at {
        return Err(ApiError::conflict(format!(
            "voting opens at {}",
            current
                .voting_opens_at
                .max(current.nominations_close_at)
                .to_rfc3339()
        )));
    }
    let policy = policy::current(tx).await?;
    let earliest_end = now + days(policy.minimum_election_days);
    if current.voting_closes_at < earliest_end {
        return Err(ApiError::conflict(format!(
            "voting must last at least {} days, but it closes at {}",
            policy.minimum_election_days,
            current.voting_closes_at.to_rfc3339()
        )));
    }
    let standings = eligibility::standings(tx, &current, &policy).await?;
    let on_ballot: Vec<&nomination::Model> = standings
        .iter()
        .filter(|(n, s)| {
            n.response == NominationResponse::Accepted
                && n.disqualified_at.is_none()
                && matches!(s, Standing::Eligible)
        })
        .map(|(n, _)| n)
        .collect();
    let candidates: Vec<Uuid> = on_ballot.iter().map(|n| n.id).collect();
    let organizations = eligibility::organizations_of(tx, &on_ballot).await?;
    if candidates.is_empty() {
        return Err(ApiError::conflict(
            "no nominee has accepted and is eligible; voting cannot open",
        ));
    }
    let frozen = roll::freeze(tx, &current, policy.grace_period_days).await?;
    if frozen.size == 0 {
        return Err(ApiError::conflict("nobody is eligible to vote"));
    }
    let (sponsor_weight, other_weight) = (frozen.sponsor_weight, frozen.other_weight);
    let rules = FrozenRules {
        term_years: policy.director_term_years,
        sponsor_influence_cap: policy.sponsor_influence_cap,
        sponsor_scale: sponsor_scale(sponsor_weight, other_weight, policy.sponsor_influence_cap),
        turnout_threshold: policy.election_turnout_threshold,
        extension_days: policy.election_turnout_extension_days,
        max_extensions: policy.election_turnout_max_extensions,
        candidates: candidates.clone(),
        roll_size: frozen.size,
        organizations,
    };
    let stored = serde_json::to_string(&rules).map_err(ApiError::internal)?;
    let row = transition(
        tx,
        id,
        &[ElectionState::Nominating],
        ElectionState::Voting,
        |u| {
            u.col_expr(election::Column::VotingOpenedAt, Expr::value(now))
                .col_expr(election::Column::Rules, Expr::value(stored.clone()))
        },
    )
    .await?;
    let entries = roll::listing(tx, id).await?;
    let rules_json = serde_json::to_value(&rules).map_err(ApiError::internal)?;
    audit_step(
        tx,
        viewer,
        AuditAction::ElectionVotingOpened,
        id,
        json!({ "rules": rules_json, "roll": entries }),
    )
    .await?;
    mailing::election_opened(tx, row.id, &row.title, row.voting_closes_at).await?;
    Ok(row)
}
