//! The rules of an amendment's vote, frozen into `amendments.vote_rules` when it is submitted,
//! in their stored form: the notice check at open and the tally at the close use them, whatever
//! the policy says by then. Amendments submitted before the rules were frozen at submission get
//! them when voting opens, as before.

use entity::governance_policy;
use serde::{Deserialize, Serialize};

use crate::{
    bylaws::tally::Rules,
    error::{ApiError, ApiResult},
};

/// The version of [`StoredRules`] written today. Version 2 added the notice and minimum voting
/// periods, frozen at submission.
const RULES_VERSION: u32 = 2;

fn first_version() -> u32 {
    1
}

/// The rules as stored (and as the `vote.opened` audit entry shows them, for a recount). The
/// names are the stored ones; rows written before `version` existed read as version 1.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredRules {
    #[serde(rename = "version", default = "first_version")]
    pub version: u32,
    #[serde(rename = "memberQuorumShare")]
    pub member_quorum_share: f64,
    #[serde(rename = "memberQuorumWeightShare")]
    pub member_quorum_weight_share: f64,
    #[serde(rename = "boardSuperMajority")]
    pub board_super_majority: f64,
    #[serde(rename = "sponsorInfluenceCap")]
    pub sponsor_influence_cap: f64,
    /// Absent before version 2.
    #[serde(
        rename = "noticeDays",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub notice_days: Option<i32>,
    /// Absent before version 2.
    #[serde(
        rename = "minimumVotingDays",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub minimum_voting_days: Option<i32>,
}

impl StoredRules {
    /// The policy's numbers now.
    pub fn of(policy: &governance_policy::Model) -> Self {
        Self {
            version: RULES_VERSION,
            member_quorum_share: policy.member_quorum_share,
            member_quorum_weight_share: policy.member_quorum_weight_share,
            board_super_majority: policy.board_super_majority,
            sponsor_influence_cap: policy.sponsor_influence_cap,
            notice_days: Some(policy.amendment_notice_days),
            minimum_voting_days: Some(policy.minimum_voting_days),
        }
    }

    /// The rules frozen on `row`, or, for one submitted before rules were frozen at submission,
    /// the policy's numbers now.
    pub fn of_amendment(
        row: &entity::amendment::Model,
        policy: &governance_policy::Model,
    ) -> ApiResult<Self> {
        let Some(json) = row.vote_rules.as_deref() else {
            return Ok(Self::of(policy));
        };
        let mut rules = Self::parse(Some(json))?;
        rules.notice_days = rules.notice_days.or(Some(policy.amendment_notice_days));
        rules.minimum_voting_days = rules
            .minimum_voting_days
            .or(Some(policy.minimum_voting_days));
        Ok(rules)
    }

    /// The rules frozen on an amendment; missing or unreadable ones are our fault.
    pub fn parse(json: Option<&str>) -> ApiResult<Self> {
        let json = json.ok_or_else(|| ApiError::internal("a vote has no frozen rules"))?;
        serde_json::from_str(json).map_err(ApiError::internal)
    }
}

impl From<StoredRules> for Rules {
    fn from(stored: StoredRules) -> Self {
        Self {
            member_quorum_share: stored.member_quorum_share,
            member_quorum_weight_share: stored.member_quorum_weight_share,
            board_super_majority: stored.board_super_majority,
            sponsor_influence_cap: stored.sponsor_influence_cap,
        }
    }
}

/// The rules of an amendment's vote, fixed when it was submitted.
#[derive(async_graphql::SimpleObject, Clone, Copy, Debug, PartialEq)]
#[graphql(name = "AmendmentRules")]
pub struct Shown {
    /// Days between submission and the earliest opening of the vote.
    pub notice_days: i32,
    /// The shortest voting period, in days.
    pub minimum_voting_days: i32,
    /// The share of the members on the roll who must vote for quorum.
    pub member_quorum_share: f64,
    /// The share of the eligible weight (after the influence cap) that must vote for quorum.
    pub member_quorum_weight_share: f64,
    /// The most that sponsors together may hold of the eligible weight, and of the YES and NO
    /// weight cast.
    pub sponsor_influence_cap: f64,
    /// The share of the directors in office who must vote, and vote YES, in a board vote.
    pub board_super_majority: f64,
}

impl From<StoredRules> for Shown {
    fn from(stored: StoredRules) -> Self {
        Self {
            notice_days: stored.notice_days.unwrap_or(0),
            minimum_voting_days: stored.minimum_voting_days.unwrap_or(0),
            member_quorum_share: stored.member_quorum_share,
            member_quorum_weight_share: stored.member_quorum_weight_share,
            sponsor_influence_cap: stored.sponsor_influence_cap,
            board_super_majority: stored.board_super_majority,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_stored_before_versions_still_read() {
        // Exactly what `openAmendmentVote` wrote before the stored type had a version.
        let json = r#"{"boardSuperMajority":0.6666666666666666,"memberQuorumShare":0.1,"memberQuorumWeightShare":0.1,"sponsorInfluenceCap":0.49}"#;
        let stored = StoredRules::parse(Some(json)).expect("reads");
        assert_eq!(stored.version, 1);
        let rules = Rules::from(stored);
        assert_eq!(rules.sponsor_influence_cap, 0.49);
        assert_eq!(rules.member_quorum_share, 0.1);
        assert_eq!(stored.notice_days, None);
    }
}
