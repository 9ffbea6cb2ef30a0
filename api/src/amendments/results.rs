//! The results of an amendment's vote as the amendment shows them: the live counts, and the
//! tally recorded at the close in its own stored form.

use async_graphql::{ID, SimpleObject};
use entity::{
    amendment_vote::{self, VoteChoice},
    prelude::{AmendmentVote, VoterRoll},
    voter_roll,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    bylaws::tally::Tally,
    error::{ApiError, ApiResult},
    ids,
};

impl ids::NodeKind for VoteCounts {
    const KIND: &'static str = "VoteCounts";
}

/// The votes so far, as counts of voters only.
#[derive(SimpleObject, Clone, Debug, PartialEq, Eq)]
pub struct VoteCounts {
    /// The counts' own opaque ID, one per amendment: `Amendment.votes` and every
    /// `amendmentTally` event carry the same, so that a normalized cache keeps them in one
    /// record and the live tally updates the amendment's counts.
    pub id: ID,
    /// The amendment.
    pub amendment_id: ID,
    /// Voters who chose YES.
    pub yes: u64,
    /// Voters who chose NO.
    pub no: u64,
    /// Voters who abstained.
    pub abstain: u64,
    /// Voters on the roll (as `AmendmentTally.eligibleVoters`).
    pub eligible_voters: u64,
}

/// Counts the votes of an amendment: two aggregate statements, however many votes there are.
pub async fn vote_counts(db: &impl ConnectionTrait, amendment: Uuid) -> ApiResult<VoteCounts> {
    let eligible = VoterRoll::find()
        .filter(voter_roll::Column::AmendmentId.eq(amendment))
        .count(db)
        .await?;
    let per_choice: Vec<(VoteChoice, i64)> = AmendmentVote::find()
        .select_only()
        .column(amendment_vote::Column::Choice)
        .column_as(amendment_vote::Column::RollEntryId.count(), "votes")
        .filter(amendment_vote::Column::AmendmentId.eq(amendment))
        .group_by(amendment_vote::Column::Choice)
        .into_tuple()
        .all(db)
        .await?;
    let count = |choice: VoteChoice| {
        per_choice
            .iter()
            .find(|(c, _)| *c == choice)
            .map_or(0, |(_, n)| u64::try_from(*n).unwrap_or(0))
    };
    Ok(VoteCounts {
        id: ids::id_of::<VoteCounts>(amendment),
        amendment_id: ids::id_of::<ids::kind::Amendment>(amendment),
        yes: count(VoteChoice::Yes),
        no: count(VoteChoice::No),
        abstain: count(VoteChoice::Abstain),
        eligible_voters: eligible,
    })
}

/// The version of [`StoredTally`] written today. Version 2 added `castSponsorScale`, the
/// influence cap on the votes cast.
const TALLY_VERSION: u32 = 2;

fn first_version() -> u32 {
    1
}

/// The tally as stored in `amendments.tally` (and in the `vote.closed` audit entry). Its names
/// are the stored ones, fixed here so that renaming a Rust or GraphQL field cannot break rows
/// already written. Rows written before `version` existed read as version 1.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoredTally {
    #[serde(rename = "version", default = "first_version")]
    pub version: u32,
    #[serde(rename = "yes")]
    pub yes: f64,
    #[serde(rename = "no")]
    pub no: f64,
    #[serde(rename = "abstain")]
    pub abstain: f64,
    #[serde(rename = "eligibleWeight")]
    pub eligible_weight: f64,
    #[serde(rename = "eligibleVoters")]
    pub eligible_voters: u64,
    #[serde(rename = "voters")]
    pub voters: u64,
    #[serde(rename = "sponsorScale")]
    pub sponsor_scale: f64,
    /// Absent before version 2, when no cap applied to the votes cast (a factor of 1).
    #[serde(
        rename = "castSponsorScale",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub cast_sponsor_scale: Option<f64>,
    #[serde(rename = "quorumReached")]
    pub quorum_reached: bool,
    #[serde(rename = "passed")]
    pub passed: bool,
    /// Why a vote that passed was still rejected.
    #[serde(rename = "note", default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl StoredTally {
    /// The record of `tally`, with the reason a passing vote was rejected, if any.
    pub fn new(tally: Tally, note: Option<String>) -> Self {
        Self {
            version: TALLY_VERSION,
            yes: tally.yes,
            no: tally.no,
            abstain: tally.abstain,
            eligible_weight: tally.eligible_weight,
            eligible_voters: tally.eligible_voters,
            voters: tally.voters,
            sponsor_scale: tally.sponsor_scale,
            cast_sponsor_scale: Some(tally.cast_sponsor_scale),
            quorum_reached: tally.quorum_reached,
            passed: tally.passed,
            note,
        }
    }

    /// Reads a stored tally; one that does not parse is our fault, never the client's.
    pub fn parse(json: &str) -> ApiResult<Self> {
        serde_json::from_str(json).map_err(ApiError::internal)
    }
}

impl From<StoredTally> for Tally {
    fn from(stored: StoredTally) -> Self {
        Self {
            yes: stored.yes,
            no: stored.no,
            abstain: stored.abstain,
            eligible_weight: stored.eligible_weight,
            eligible_voters: stored.eligible_voters,
            voters: stored.voters,
            sponsor_scale: stored.sponsor_scale,
            cast_sponsor_scale: stored.cast_sponsor_scale.unwrap_or(1.0),
            quorum_reached: stored.quorum_reached,
            passed: stored.passed,
        }
        // Rows written before the fix may hold `-0.0`.
        .without_negative_zero()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tally_stored_before_versions_still_reads() {
        // Exactly what `closeAmendmentVote` wrote before the stored type had a version.
        let json = r#"{"abstain":1.0,"eligibleVoters":11,"eligibleWeight":11.0,"no":0.0,"note":"passed, but conflicts with version 2 adopted meanwhile","passed":true,"quorumReached":true,"sponsorScale":1.0,"voters":2,"yes":1.0}"#;
        let stored = StoredTally::parse(json).expect("reads");
        assert_eq!(stored.version, 1);
        assert_eq!(stored.eligible_voters, 11);
        assert_eq!(
            stored.note.as_deref(),
            Some("passed, but conflicts with version 2 adopted meanwhile")
        );
        let shown = Tally::from(stored);
        assert!(shown.passed && shown.quorum_reached);
        assert_eq!((shown.yes, shown.no, shown.abstain), (1.0, 0.0, 1.0));
        assert_eq!(shown.cast_sponsor_scale, 1.0);
    }

    #[test]
    fn a_version_1_tally_with_negative_zeros_reads_as_zeros() {
        let json = r#"{"version":1,"abstain":-0.0,"eligibleVoters":1,"eligibleWeight":1.0,"no":-0.0,"passed":false,"quorumReached":false,"sponsorScale":1.0,"voters":0,"yes":-0.0}"#;
        let shown = Tally::from(StoredTally::parse(json).expect("reads"));
        assert!(!format!("{shown:?}").contains("-0"), "{shown:?}");
    }

    #[test]
    fn a_stored_tally_keeps_its_names() {
        let tally = Tally {
            yes: 2.0,
            no: 1.0,
            abstain: 0.0,
            eligible_weight: 3.0,
            eligible_voters: 3,
            voters: 3,
            sponsor_scale: 1.0,
            cast_sponsor_scale: 0.5,
            quorum_reached: true,
            passed: true,
        };
        let json = serde_json::to_value(StoredTally::new(tally, None)).expect("serializes");
        assert_eq!(
            json,
            serde_json::json!({ "version": 2, "yes": 2.0, "no": 1.0, "abstain": 0.0, "eligibleWeight": 3.0, "eligibleVoters": 3, "voters": 3, "sponsorScale": 1.0, "castSponsorScale": 0.5, "quorumReached": true, "passed": true })
        );
    }
}
