//! What an election stores as JSON: the rules frozen when voting opens, and the result of the
//! count. Each has its own shape here, so that renaming an API field never changes rows already
//! stored.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    elections::{
        count::{CountResult, RoundEnd, Status},
        fixed::{Fixed, SCALE},
    },
    error::{ApiError, ApiResult},
};

/// The rules of an election, frozen when voting opens: a later policy change applies to later
/// elections only.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FrozenRules {
    /// Years of the term the winners serve.
    pub term_years: i32,
    /// The most of the weight paying members may hold together.
    pub sponsor_influence_cap: f64,
    /// The factor the cap applied to every sponsor's weight on the roll (1 when it did not bind).
    pub sponsor_scale: f64,
    /// Turnout below which voting is extended at the planned close (0: never).
    pub turnout_threshold: f64,
    /// Days each extension adds.
    pub extension_days: i32,
    /// The most extensions.
    pub max_extensions: i32,
    /// The nominations on the ballot, in ballot order: accepted, not disqualified and eligible
    /// when voting opened.
    pub candidates: Vec<Uuid>,
    /// Entries on the roll.
    pub roll_size: u64,
    /// Every organization each nominee on the ballot worked for or represented when voting
    /// opened (declared or represented), by nomination: the organization rule counts with
    /// these and certification checks them. Empty in elections that opened before it was kept.
    #[serde(default)]
    pub organizations: BTreeMap<Uuid, Vec<Uuid>>,
}

impl FrozenRules {
    /// Reads the stored rules; an election that is voting or later always has them.
    pub fn parse(stored: Option<&str>) -> ApiResult<Self> {
        let text = stored.ok_or_else(|| ApiError::internal("the election has no frozen rules"))?;
        serde_json::from_str(text).map_err(ApiError::internal)
    }
}

/// One nominee's numbers in a round.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredTally {
    pub nomination: Uuid,
    pub votes: Fixed,
    pub keep_factor: Fixed,
    pub status: Status,
}

/// One round of the count.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredRound {
    pub number: usize,
    pub end: RoundEnd,
    pub iterations: usize,
    pub quota: Fixed,
    pub surplus: Fixed,
    pub exhausted: Fixed,
    pub tallies: Vec<StoredTally>,
    pub elected: Vec<Uuid>,
    pub defeated: Vec<Uuid>,
    pub excluded: Vec<Uuid>,
}

/// The result of an election's count, as stored at the close.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredResult {
    pub method: String,
    pub seats: usize,
    pub quota: Fixed,
    pub total_weight: Fixed,
    /// Hex SHA-256 of the BLT export without the lines the count adds (`blt::seed_text`): the
    /// seed of the tie-break draw.
    pub seed: String,
    pub draw_order: Vec<Uuid>,
    pub elected: Vec<Uuid>,
    pub rounds: Vec<StoredRound>,
    /// The factor the cap applied to every sponsor's ballot weight on the votes cast.
    pub cast_sponsor_scale: f64,
    /// Ballots cast.
    pub ballots: u64,
}

impl StoredResult {
    /// The result of `count` over the candidates `nominations` (in count order).
    pub fn new(
        count: &CountResult,
        nominations: &[Uuid],
        seed: String,
        cast_sponsor_scale: f64,
        ballots: u64,
    ) -> Self {
        let id = |i: &usize| nominations.get(*i).copied().unwrap_or_default();
        let ids = |list: &[usize]| list.iter().map(id).collect::<Vec<_>>();
        Self {
            method: count.method.clone(),
            seats: count.seats,
            quota: count.quota,
            total_weight: count.total_weight,
            seed,
            draw_order: ids(&count.draw_order),
            elected: ids(&count.elected),
            rounds: count
                .rounds
                .iter()
                .map(|r| StoredRound {
                    number: r.number,
                    end: r.end,
                    iterations: r.iterations,
                    quota: r.quota,
                    surplus: r.surplus,
                    exhausted: r.exhausted,
                    tallies: nominations
                        .iter()
                        .enumerate()
                        .map(|(i, n)| StoredTally {
                            nomination: *n,
                            votes: r.votes.get(i).copied().unwrap_or_default(),
                            keep_factor: r.keep_factors.get(i).copied().unwrap_or_default(),
                            status: r.statuses.get(i).copied().unwrap_or(Status::Hopeful),
                        })
                        .collect(),
                    elected: ids(&r.elected),
                    defeated: ids(&r.defeated),
                    excluded: ids(&r.excluded),
                })
                .collect(),
            cast_sponsor_scale,
            ballots,
        }
    }

    pub fn parse(stored: Option<&str>) -> ApiResult<Option<Self>> {
        stored
            .map(|text| serde_json::from_str(text).map_err(ApiError::internal))
            .transpose()
    }
}

/// The weight a ballot counts with: its nominal weight, times `scale` for a sponsor's ballot
/// (both factors of the influence cap), truncated to 9 decimals. The same function at the close
/// and when publishing, so the published weights are exactly those counted.
pub fn ballot_weight(nominal: i32, sponsor: bool, scale: f64) -> Fixed {
    let whole = i64::from(nominal.max(0)) * SCALE;
    if !sponsor || scale >= 1.0 {
        return Fixed::from_units(whole);
    }
    let scale = scale.max(0.0);
    // The product stays far below 2^53 units times 1, so the float is exact enough and the floor
    // is the same on every machine.
    Fixed::from_units((whole as f64 * scale).floor() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sponsor_weights_scale_and_truncate() {
        assert_eq!(ballot_weight(50, false, 0.5).to_string(), "50.000000000");
        assert_eq!(ballot_weight(50, true, 1.0).to_string(), "50.000000000");
        assert_eq!(ballot_weight(50, true, 0.5).to_string(), "25.000000000");
        assert_eq!(ballot_weight(3, true, 0.5).to_string(), "1.500000000");
        assert_eq!(ballot_weight(7, true, 0.1).to_string(), "0.700000000");
        assert_eq!(ballot_weight(15, true, 0.0), Fixed::ZERO);
    }
}
