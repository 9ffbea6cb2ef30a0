//! The GraphQL types of an election's result: the count round by round, the published ballots
//! and their BLT export, read through `published` so that they are what was counted.

use std::collections::HashMap;

use async_graphql::{Context, ID, Object, SimpleObject};
use entity::{election, nomination};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use crate::{
    elections::{
        count::{RoundEnd, Status},
        eligibility::Standing,
        loader::NominationsLoader,
        published::{blt_of, published_ballots},
        record::{FrozenRules, StoredResult, StoredRound, StoredTally},
        types::nominee::Nominee,
    },
    error::ApiResult,
    ids,
    loaders::loader,
};

/// The result of an election's count.
pub struct ElectionResult {
    pub election: election::Model,
    pub result: StoredResult,
}

/// The count of a closed election: Meek STV, round by round, with the published ballots and
/// their BLT export so that anyone can recount.
#[Object]
impl ElectionResult {
    /// The counting method, with its parameters.
    async fn method(&self) -> &str {
        &self.result.method
    }

    /// Seats filled.
    async fn seats(&self) -> usize {
        self.result.seats
    }

    /// The quota of the last round, as a decimal with 9 places.
    async fn quota(&self) -> String {
        self.result.quota.to_string()
    }

    /// The total weight of the ballots counted.
    async fn total_weight(&self) -> String {
        self.result.total_weight.to_string()
    }

    /// The elected, in order of election.
    async fn elected(&self, ctx: &Context<'_>) -> ApiResult<Vec<Nominee>> {
        let rows: HashMap<Uuid, nomination::Model> = loader::<NominationsLoader>(ctx)?
            .load_one(self.election.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(|n| (n.id, n))
            .collect();
        Ok(self
            .result
            .elected
            .iter()
            .filter_map(|id| rows.get(id).cloned())
            .map(|row| Nominee {
                row,
                standing: Some(Standing::Eligible),
                on_ballot: true,
            })
            .collect())
    }

    /// Each round: every nominee's votes and keep factor, who was elected, defeated or
    /// excluded, and the weight exhausted.
    async fn rounds(&self) -> Vec<ElectionRound> {
        self.result
            .rounds
            .iter()
            .cloned()
            .map(ElectionRound)
            .collect()
    }

    /// Hex SHA-256 of the BLT export: the seed of the tie-break draw, which orders nominees by
    /// SHA-256(seed bytes ‖ nomination ID).
    async fn seed(&self) -> &str {
        &self.result.seed
    }

    /// The nominations in draw order: a tie goes to the earliest.
    async fn draw_order(&self) -> Vec<ID> {
        self.result
            .draw_order
            .iter()
            .map(|id| ids::id_of::<Nominee>(*id))
            .collect()
    }

    /// The factor the influence cap applied to every sponsor's weight on the roll.
    async fn sponsor_scale(&self) -> ApiResult<f64> {
        Ok(FrozenRules::parse(self.election.rules.as_deref())?.sponsor_scale)
    }

    /// The further factor the cap applied to every sponsor's ballot among the ballots cast.
    async fn cast_sponsor_scale(&self) -> f64 {
        self.result.cast_sponsor_scale
    }

    /// Every ballot cast, anonymous, in a random order (by receipt hash): a voter finds theirs by
    /// the SHA-256 of their receipt.
    async fn ballots(&self, ctx: &Context<'_>) -> ApiResult<Vec<PublishedBallot>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let scale = self.scale()?;
        Ok(published_ballots(db, self.election.id, scale)
            .await?
            .into_iter()
            .map(|b| PublishedBallot {
                receipt: b.receipt_hash,
                ranking: b.ranking.into_iter().map(ids::id_of::<Nominee>).collect(),
                weight: b.weight.to_string(),
            })
            .collect())
    }

    /// The ballots in BLT format, with their weights, the nominees named by nomination ID and in
    /// ballot order: counted by any STV program (the organization rule re-applied), it gives
    /// this result. Every weight is a whole number, since many STV programs read only whole
    /// weights: each counts in the unit the title line states, as `Board election [weights in
    /// units of 0.000000001 votes]` (the largest unit dividing every weight; `1 votes` when all
    /// are whole).
    async fn blt(&self, ctx: &Context<'_>) -> ApiResult<String> {
        let db = ctx.data::<DatabaseConnection>()?;
        let scale = self.scale()?;
        let ballots = published_ballots(db, self.election.id, scale).await?;
        let candidates = self.candidates()?;
        Ok(blt_of(
            &self.election.title,
            self.result.seats,
            &candidates,
            &ballots,
        )
        .2)
    }
}

impl ElectionResult {
    fn scale(&self) -> ApiResult<f64> {
        Ok(
            FrozenRules::parse(self.election.rules.as_deref())?.sponsor_scale
                * self.result.cast_sponsor_scale,
        )
    }

    /// The nominees counted, in ballot order: those of the first round's tallies.
    fn candidates(&self) -> ApiResult<Vec<Uuid>> {
        Ok(self
            .result
            .rounds
            .first()
            .map(|r| r.tallies.iter().map(|t| t.nomination).collect())
            .unwrap_or_default())
    }
}

/// A ballot as published after the close.
#[derive(SimpleObject, Clone, Debug)]
pub struct PublishedBallot {
    /// The SHA-256 (hex) of the receipt given to the voter.
    pub receipt: String,
    /// The nominations ranked, best first.
    pub ranking: Vec<ID>,
    /// The weight it counted with, after the influence cap, with 9 decimals.
    pub weight: String,
}

/// One round of the count.
pub struct ElectionRound(pub StoredRound);

/// One round of a Meek STV count: the state after its last iteration.
#[Object]
impl ElectionRound {
    /// Round number, from 1.
    async fn number(&self) -> usize {
        self.0.number
    }

    /// Why the round ended.
    async fn end(&self) -> RoundEnd {
        self.0.end
    }

    /// How many times the votes were distributed in the round.
    async fn iterations(&self) -> usize {
        self.0.iterations
    }

    /// The quota of the round's last iteration.
    async fn quota(&self) -> String {
        self.0.quota.to_string()
    }

    /// The elected nominees' total surplus.
    async fn surplus(&self) -> String {
        self.0.surplus.to_string()
    }

    /// Each nominee's votes, keep factor and state.
    async fn tallies(&self) -> Vec<NomineeTally> {
        self.0.tallies.iter().cloned().map(NomineeTally).collect()
    }

    /// Nominees elected in this round.
    async fn elected(&self) -> Vec<ID> {
        self.0
            .elected
            .iter()
            .map(|id| ids::id_of::<Nominee>(*id))
            .collect()
    }

    /// Nominees defeated in this round.
    async fn defeated(&self) -> Vec<ID> {
        self.0
            .defeated
            .iter()
            .map(|id| ids::id_of::<Nominee>(*id))
            .collect()
    }

    /// Nominees excluded in this round because a nominee of their organization was elected.
    async fn excluded(&self) -> Vec<ID> {
        self.0
            .excluded
            .iter()
            .map(|id| ids::id_of::<Nominee>(*id))
            .collect()
    }

    /// Weight that no longer counts for any nominee.
    async fn exhausted(&self) -> String {
        self.0.exhausted.to_string()
    }
}

/// A nominee's numbers in a round.
pub struct NomineeTally(pub StoredTally);

/// A nominee's numbers in one round.
#[Object]
impl NomineeTally {
    /// The nomination.
    async fn nomination_id(&self) -> ID {
        ids::id_of::<Nominee>(self.0.nomination)
    }

    /// Votes, with 9 decimals.
    async fn votes(&self) -> String {
        self.0.votes.to_string()
    }

    /// The keep factor, with 9 decimals.
    async fn keep_factor(&self) -> String {
        self.0.keep_factor.to_string()
    }

    /// The nominee's state at the end of the round.
    async fn status(&self) -> Status {
        self.0.status
    }
}
