//! Reading and changing the governance policy: ADMIN only, every change audited.

use async_graphql::{Context, InputObject, Object, SimpleObject};
use entity::governance_policy;

use crate::{
    auth::{Role, RoleGuard},
    error::{ApiError, ApiResult},
    policy::{
        commands::{self, PolicyChange},
        current,
    },
    resolve::run,
    services::Services,
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
    /// The fewest directors the board may have.
    pub board_minimum_size: i32,
    /// The most directors the board may have.
    pub board_maximum_size: i32,
    /// Directors the board needs per Platinum sponsor, at least.
    pub board_per_platinum_sponsor: i32,
    /// Years of a director's term.
    pub director_term_years: i32,
    /// Consecutive terms a director may serve before sitting out.
    pub max_consecutive_terms: i32,
    /// Years a director who served the most consecutive terms sits out before standing again.
    pub term_limit_break_years: i32,
    /// Months a nominee must have been a member in good standing.
    pub nominee_standing_months: i32,
    /// Days before voting opens that the nominee list closes.
    pub nominee_list_closes_days_before: i32,
    /// The shortest an election's voting may last, in days.
    pub minimum_election_days: i32,
    /// Extending an election's voting while turnout is low (off when the threshold is 0).
    pub election_turnout_extension: TurnoutExtension,
    /// The own-case rule's look-back: for this many days after someone stops representing an
    /// organization, its cases (applications, mirrors, memberships, sponsorships) are still
    /// theirs, as are cases opened while they represented it.
    pub own_case_look_back_days: i32,
}

/// Extending an election's voting while turnout is below a threshold at the planned close.
#[derive(SimpleObject, Clone, Copy, Debug, PartialEq)]
pub struct TurnoutExtension {
    /// The share of the roll (0 to 1) below which voting is extended; 0 turns extension off.
    pub threshold: f64,
    /// Days each extension adds.
    pub days: i32,
    /// The most times voting is extended.
    pub max_times: i32,
}

/// A turnout extension to set: every field is required.
#[derive(InputObject)]
pub struct TurnoutExtensionInput {
    /// The share of the roll (0 to 1) below which voting is extended; 0 turns extension off.
    pub threshold: f64,
    /// Days each extension adds (0 to 365).
    pub days: i32,
    /// The most times voting is extended (0 to 100).
    pub max_times: i32,
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
            board_minimum_size: row.board_minimum_size,
            board_maximum_size: row.board_maximum_size,
            board_per_platinum_sponsor: row.board_per_platinum_sponsor,
            director_term_years: row.director_term_years,
            max_consecutive_terms: row.max_consecutive_terms,
            term_limit_break_years: row.term_limit_break_years,
            nominee_standing_months: row.nominee_standing_months,
            nominee_list_closes_days_before: row.nominee_list_closes_days_before,
            minimum_election_days: row.minimum_election_days,
            election_turnout_extension: TurnoutExtension {
                threshold: row.election_turnout_threshold,
                days: row.election_turnout_extension_days,
                max_times: row.election_turnout_max_extensions,
            },
            own_case_look_back_days: row.own_case_look_back_days,
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
    /// The fewest directors the board may have (1 to 100).
    pub board_minimum_size: Option<i32>,
    /// The most directors the board may have (1 to 100).
    pub board_maximum_size: Option<i32>,
    /// Directors the board needs per Platinum sponsor (0 to 10).
    pub board_per_platinum_sponsor: Option<i32>,
    /// Years of a director's term (1 to 10).
    pub director_term_years: Option<i32>,
    /// Consecutive terms a director may serve (1 to 20).
    pub max_consecutive_terms: Option<i32>,
    /// Years a director sits out after the most consecutive terms (0 to 10).
    pub term_limit_break_years: Option<i32>,
    /// Months a nominee must have been a member in good standing (0 to 120).
    pub nominee_standing_months: Option<i32>,
    /// Days before voting opens that the nominee list closes (0 to 365).
    pub nominee_list_closes_days_before: Option<i32>,
    /// The shortest an election's voting may last, in days (0 to 365).
    pub minimum_election_days: Option<i32>,
    /// Extending voting while turnout is low.
    pub election_turnout_extension: Option<TurnoutExtensionInput>,
    /// Days after someone stops representing an organization during which its cases are still
    /// theirs (0 to 3650).
    pub own_case_look_back_days: Option<i32>,
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
    async fn governance_policy(&self, ctx: &Context<'_>) -> ApiResult<Option<GovernancePolicy>> {
        Ok(Some(current(&ctx.data::<Services>()?.db).await?.into()))
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
            ..PolicyChange::default()
        };
        let int =
            |value: Option<i32>, field: String, low: i32, high: i32| days(value, &field, low, high);
        let change = PolicyChange {
            board_minimum_size: int(
                input.board_minimum_size,
                crate::field!(input.board_minimum_size),
                1,
                100,
            )?,
            board_maximum_size: int(
                input.board_maximum_size,
                crate::field!(input.board_maximum_size),
                1,
                100,
            )?,
            board_per_platinum_sponsor: int(
                input.board_per_platinum_sponsor,
                crate::field!(input.board_per_platinum_sponsor),
                0,
                10,
            )?,
            director_term_years: int(
                input.director_term_years,
                crate::field!(input.director_term_years),
                1,
                10,
            )?,
            max_consecutive_terms: int(
                input.max_consecutive_terms,
                crate::field!(input.max_consecutive_terms),
                1,
                20,
            )?,
            term_limit_break_years: int(
                input.term_limit_break_years,
                crate::field!(input.term_limit_break_years),
                0,
                10,
            )?,
            nominee_standing_months: int(
                input.nominee_standing_months,
                crate::field!(input.nominee_standing_months),
                0,
                120,
            )?,
            nominee_list_closes_days_before: int(
                input.nominee_list_closes_days_before,
                crate::field!(input.nominee_list_closes_days_before),
                0,
                365,
            )?,
            minimum_election_days: int(
                input.minimum_election_days,
                crate::field!(input.minimum_election_days),
                0,
                365,
            )?,
            own_case_look_back_days: int(
                input.own_case_look_back_days,
                crate::field!(input.own_case_look_back_days),
                0,
                3650,
            )?,
            election_turnout_extension: match input.election_turnout_extension {
                None => None,
                Some(ext) => {
                    let threshold = share(
                        Some(ext.threshold),
                        &crate::field!(input.election_turnout_extension.threshold),
                        false,
                        0.0,
                        false,
                        1.0,
                    )?
                    .unwrap_or(0.0);
                    let days_each = int(
                        Some(ext.days),
                        crate::field!(input.election_turnout_extension.days),
                        0,
                        365,
                    )?
                    .unwrap_or(0);
                    let max_times = int(
                        Some(ext.max_times),
                        crate::field!(input.election_turnout_extension.max_times),
                        0,
                        100,
                    )?
                    .unwrap_or(0);
                    Some((threshold, days_each, max_times))
                }
            },
            ..change
        };
        let after = run(ctx, change, commands::update).await?;
        Ok(UpdateGovernancePolicyPayload {
            policy: after.into(),
        })
    }
}

/// "The grace period days" for `input.gracePeriodDays`.
fn capitalized_label(field: &str) -> String {
    format!("The {}", crate::input::label(field))
}
