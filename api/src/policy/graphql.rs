//! Reading and changing the governance policy: ADMIN only, every change audited.

use async_graphql::{Context, InputObject, Object, SimpleObject};
use entity::governance_policy;

use crate::{
    AppState,
    auth::{Role, RoleGuard, Viewer},
    db::begin_write,
    error::{ApiError, ApiResult},
    policy::{
        commands::{self, PolicyChange},
        current,
    },
};

/// Every number the foundation's rules use. The foundation changes them by policy, not by code.
#[derive(SimpleObject)]
pub struct GovernancePolicy {
    /// Days between submitting an amendment and opening its vote.
    pub amendment_notice_days: i32,
    /// The shortest a vote may last, in days.
    pub minimum_voting_days: i32,
    /// The share of eligible members who must vote for quorum.
    pub member_quorum_share: f64,
    /// The share of eligible weight that must vote for quorum.
    pub member_quorum_weight_share: f64,
    /// The share of directors in office who must vote, and vote YES, for a board decision.
    pub board_super_majority: f64,
    /// The most of the eligible weight that paying members may hold together.
    pub sponsor_influence_cap: f64,
    /// Days a membership stays in grace after its end.
    pub grace_period_days: i32,
    /// Months a Contributor membership runs before renewal.
    pub contributor_term_months: i32,
    /// Months after which a verified mirror must be checked again.
    pub mirror_recheck_months: i32,
    /// Days of notice before a suspension or termination takes effect.
    pub suspension_notice_days: i32,
}

impl From<governance_policy::Model> for GovernancePolicy {
    fn from(row: governance_policy::Model) -> Self {
        Self {
            amendment_notice_days: row.amendment_notice_days,
            minimum_voting_days: row.minimum_voting_days,
            member_quorum_share: row.member_quorum_share,
            member_quorum_weight_share: row.member_quorum_weight_share,
            board_super_majority: row.board_super_majority,
            sponsor_influence_cap: row.sponsor_influence_cap,
            grace_period_days: row.grace_period_days,
            contributor_term_months: row.contributor_term_months,
            mirror_recheck_months: row.mirror_recheck_months,
            suspension_notice_days: row.suspension_notice_days,
        }
    }
}

/// Input of `updateGovernancePolicy`: the fields left out keep their values.
#[derive(InputObject, Default)]
pub struct UpdateGovernancePolicyInput {
    /// Days between submitting an amendment and opening its vote (0 to 365).
    pub amendment_notice_days: Option<i32>,
    /// The shortest a vote may last, in days (0 to 365).
    pub minimum_voting_days: Option<i32>,
    /// The share of eligible members who must vote (0 to 1).
    pub member_quorum_share: Option<f64>,
    /// The share of eligible weight that must vote (0 to 1).
    pub member_quorum_weight_share: Option<f64>,
    /// The board's super-majority (more than 0.5, at most 1).
    pub board_super_majority: Option<f64>,
    /// The most of the eligible weight paying members may hold (more than 0, less than 1).
    pub sponsor_influence_cap: Option<f64>,
    /// Days of grace after a membership's end (0 to 365).
    pub grace_period_days: Option<i32>,
    /// Months of a Contributor term (1 to 120).
    pub contributor_term_months: Option<i32>,
    /// Months between mirror checks (1 to 120).
    pub mirror_recheck_months: Option<i32>,
    /// Days of notice before a suspension or termination (0 to 365).
    pub suspension_notice_days: Option<i32>,
}

/// The policy after the change.
#[derive(SimpleObject)]
pub struct UpdateGovernancePolicyPayload {
    /// The policy now in force.
    pub policy: GovernancePolicy,
}

fn days(value: Option<i32>, field: &str, low: i32, high: i32) -> ApiResult<Option<i32>> {
    match value {
        Some(v) if !(low..=high).contains(&v) => Err(ApiError::bad_input(
            field,
            format!(
                "{} must be between {low} and {high}.",
                capitalized_label(field)
            ),
        )),
        other => Ok(other),
    }
}

fn share(
    value: Option<f64>,
    field: &str,
    low_exclusive: bool,
    low: f64,
    high_exclusive: bool,
    high: f64,
) -> ApiResult<Option<f64>> {
    let Some(v) = value else {
        return Ok(None);
    };
    let above = if low_exclusive { v > low } else { v >= low };
    let below = if high_exclusive { v < high } else { v <= high };
    if v.is_finite() && above && below {
        Ok(Some(v))
    } else {
        Err(ApiError::bad_input(
            field,
            format!("{} is out of range.", capitalized_label(field)),
        ))
    }
}

#[derive(Default)]
pub struct PolicyQuery;

#[Object]
impl PolicyQuery {
    /// The governance policy in force. ADMIN only.
    #[graphql(guard = "RoleGuard::new(Role::Admin)")]
    async fn governance_policy(&self, ctx: &Context<'_>) -> ApiResult<GovernancePolicy> {
        Ok(current(&ctx.data::<AppState>()?.db).await?.into())
    }
}

#[derive(Default)]
pub struct PolicyMutation;

#[Object]
impl PolicyMutation {
    /// Changes some numbers of the governance policy. ADMIN only; audited with the old and new
    /// values.
    #[graphql(guard = "RoleGuard::new(Role::Admin)")]
    async fn update_governance_policy(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: UpdateGovernancePolicyInput,
    ) -> ApiResult<UpdateGovernancePolicyPayload> {
        let state = ctx.data::<AppState>()?;
        let change = PolicyChange {
            amendment_notice_days: days(
                input.amendment_notice_days,
                &crate::field!(input.amendment_notice_days),
                0,
                365,
            )?,
            minimum_voting_days: days(
                input.minimum_voting_days,
                &crate::field!(input.minimum_voting_days),
                0,
                365,
            )?,
            grace_period_days: days(
                input.grace_period_days,
                &crate::field!(input.grace_period_days),
                0,
                365,
            )?,
            contributor_term_months: days(
                input.contributor_term_months,
                &crate::field!(input.contributor_term_months),
                1,
                120,
            )?,
            mirror_recheck_months: days(
                input.mirror_recheck_months,
                &crate::field!(input.mirror_recheck_months),
                1,
                120,
            )?,
            suspension_notice_days: days(
                input.suspension_notice_days,
                &crate::field!(input.suspension_notice_days),
                0,
                365,
            )?,
            member_quorum_share: share(
                input.member_quorum_share,
                &crate::field!(input.member_quorum_share),
                false,
                0.0,
                false,
                1.0,
            )?,
            member_quorum_weight_share: share(
                input.member_quorum_weight_share,
                &crate::field!(input.member_quorum_weight_share),
                false,
                0.0,
                false,
                1.0,
            )?,
            board_super_majority: share(
                input.board_super_majority,
                &crate::field!(input.board_super_majority),
                true,
                0.5,
                false,
                1.0,
            )?,
            sponsor_influence_cap: share(
                input.sponsor_influence_cap,
                &crate::field!(input.sponsor_influence_cap),
                true,
                0.0,
                true,
                1.0,
            )?,
        };
        let tx = begin_write(&state.db).await?;
        let after = commands::update(&tx, Viewer::of(ctx), change).await?;
        tx.commit().await?;
        Ok(UpdateGovernancePolicyPayload {
            policy: after.into(),
        })
    }
}

/// "The grace period days" for `input.gracePeriodDays`.
fn capitalized_label(field: &str) -> String {
    format!("The {}", crate::input::label(field))
}
