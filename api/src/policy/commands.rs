//! The policy aggregate's one change of state: updating some of its numbers, audited with the
//! values before and after.

use crate::audit::{AuditAction, SubjectKind};
use crate::db::Tx;
use chrono::Utc;
use entity::governance_policy;
use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};
use serde_json::{Value, json};

use crate::{
    audit::{self, Actor, Entry},
    auth::Viewer,
    error::ApiResult,
    policy::current,
};

/// The numbers to change, each already checked against its range; `None` keeps a value.
#[derive(Clone, Debug, Default)]
pub struct PolicyChange {
    pub amendment_notice_days: Option<i32>,
    pub minimum_voting_days: Option<i32>,
    pub member_quorum_share: Option<f64>,
    pub member_quorum_weight_share: Option<f64>,
    pub board_super_majority: Option<f64>,
    pub sponsor_influence_cap: Option<f64>,
    pub grace_period_days: Option<i32>,
    pub contributor_term_months: Option<i32>,
    pub mirror_recheck_months: Option<i32>,
    pub suspension_notice_days: Option<i32>,
    pub board_minimum_size: Option<i32>,
    pub board_maximum_size: Option<i32>,
    pub board_per_platinum_sponsor: Option<i32>,
    pub director_term_years: Option<i32>,
    pub max_consecutive_terms: Option<i32>,
    pub term_limit_break_years: Option<i32>,
    pub nominee_standing_months: Option<i32>,
    pub nominee_list_closes_days_before: Option<i32>,
    pub minimum_election_days: Option<i32>,
    pub own_case_look_back_days: Option<i32>,
    /// Threshold, days per extension, most extensions.
    pub election_turnout_extension: Option<(f64, i32, i32)>,
}

/// Applies the change to the policy row, locked for the transaction, and audits it.
#[tracing::instrument(skip_all)]
pub async fn update(
    tx: &Tx,
    viewer: &Viewer,
    change: PolicyChange,
) -> ApiResult<governance_policy::Model> {
    let before = current(tx).await?;
    let mut row = before.clone().into_active_model();
    let set_i32 = |column: &mut sea_orm::ActiveValue<i32>, value: Option<i32>| {
        if let Some(value) = value {
            *column = Set(value);
        }
    };
    set_i32(&mut row.amendment_notice_days, change.amendment_notice_days);
    set_i32(&mut row.minimum_voting_days, change.minimum_voting_days);
    set_i32(&mut row.grace_period_days, change.grace_period_days);
    set_i32(
        &mut row.contributor_term_months,
        change.contributor_term_months,
    );
    set_i32(&mut row.mirror_recheck_months, change.mirror_recheck_months);
    set_i32(
        &mut row.suspension_notice_days,
        change.suspension_notice_days,
    );
    set_i32(&mut row.board_minimum_size, change.board_minimum_size);
    set_i32(&mut row.board_maximum_size, change.board_maximum_size);
    set_i32(
        &mut row.board_per_platinum_sponsor,
        change.board_per_platinum_sponsor,
    );
    set_i32(&mut row.director_term_years, change.director_term_years);
    set_i32(&mut row.max_consecutive_terms, change.max_consecutive_terms);
    set_i32(
        &mut row.term_limit_break_years,
        change.term_limit_break_years,
    );
    set_i32(
        &mut row.nominee_standing_months,
        change.nominee_standing_months,
    );
    set_i32(
        &mut row.nominee_list_closes_days_before,
        change.nominee_list_closes_days_before,
    );
    set_i32(&mut row.minimum_election_days, change.minimum_election_days);
    set_i32(
        &mut row.own_case_look_back_days,
        change.own_case_look_back_days,
    );
    if let Some((threshold, days, max_times)) = change.election_turnout_extension {
        row.election_turnout_threshold = Set(threshold);
        row.election_turnout_extension_days = Set(days);
        row.election_turnout_max_extensions = Set(max_times);
    }
    let set_f64 = |column: &mut sea_orm::ActiveValue<f64>, value: Option<f64>| {
        if let Some(value) = value {
            *column = Set(value);
        }
    };
    set_f64(&mut row.member_quorum_share, change.member_quorum_share);
    set_f64(
        &mut row.member_quorum_weight_share,
        change.member_quorum_weight_share,
    );
    set_f64(&mut row.board_super_majority, change.board_super_majority);
    set_f64(&mut row.sponsor_influence_cap, change.sponsor_influence_cap);
    row.updated_at = Set(Utc::now());
    let after = row.update(tx).await?;
    audit::record(
        tx,
        Entry {
            actor: Actor::of(viewer),
            action: AuditAction::PolicyUpdated,
            subject_kind: SubjectKind::GovernancePolicy,
            subject_id: uuid::Uuid::nil(),
            summary: json!({ "before": audited(&before), "after": audited(&after) }),
        },
    )
    .await?;
    Ok(after)
}

/// The policy as the audit log records it. Its own shape, so that renaming an API field does not
/// change what new audit entries say.
fn audited(policy: &governance_policy::Model) -> Value {
    json!({
        "amendmentNoticeDays": policy.amendment_notice_days,
        "minimumVotingDays": policy.minimum_voting_days,
        "memberQuorumShare": policy.member_quorum_share,
        "memberQuorumWeightShare": policy.member_quorum_weight_share,
        "boardSuperMajority": policy.board_super_majority,
        "sponsorInfluenceCap": policy.sponsor_influence_cap,
        "gracePeriodDays": policy.grace_period_days,
        "contributorTermMonths": policy.contributor_term_months,
        "mirrorRecheckMonths": policy.mirror_recheck_months,
        "suspensionNoticeDays": policy.suspension_notice_days,
        "boardMinimumSize": policy.board_minimum_size,
        "boardMaximumSize": policy.board_maximum_size,
        "boardPerPlatinumSponsor": policy.board_per_platinum_sponsor,
        "directorTermYears": policy.director_term_years,
        "maxConsecutiveTerms": policy.max_consecutive_terms,
        "termLimitBreakYears": policy.term_limit_break_years,
        "nomineeStandingMonths": policy.nominee_standing_months,
        "nomineeListClosesDaysBefore": policy.nominee_list_closes_days_before,
        "minimumElectionDays": policy.minimum_election_days,
        "ownCaseLookBackDays": policy.own_case_look_back_days,
        "electionTurnoutExtension": {
            "threshold": policy.election_turnout_threshold,
            "days": policy.election_turnout_extension_days,
            "maxTimes": policy.election_turnout_max_extensions,
        },
    })
}
