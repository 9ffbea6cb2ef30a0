//! The policy numbers frozen into `amendments.vote_rules` when voting opens, in their stored
//! form: the close tallies with them, whatever the policy says by then.

use entity::governance_policy;
use serde::{Deserialize, Serialize};

use crate::{
    bylaws::tally::Rules,
    error::{ApiError, ApiResult},
};

/// The version of [`StoredRules`] written today.
const RULES_VERSION: u32 = 1;

fn first_version() -> u32 {
    RULES_VERSION
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
        }
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
    }
}
