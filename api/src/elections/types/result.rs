//! The GraphQL types of an election's result: the count round by round, the published ballots
//! and their BLT export, read through `published` so that they are what was counted.

use std::collections::HashMap;

use async_graphql::{Context, ID, Object, SimpleObject};
use entity::election;
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use crate::{
    elections::{
        count::{RoundEnd, Status},
        published::{blt_of, published_ballots, published_blt},
        record::{FrozenRules, StoredResult, StoredRound, StoredTally},
        types::nominee::{self, Nominee},
    },
    error::ApiResult,
    ids,
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
        nominations(ctx, &self.election, &self.result.elected).await
    }

    /// The IDs of the elected, in order of election (`elected`'s IDs).
    async fn elected_ids(&self) -> Vec<ID> {
        nomination_ids(&self.result.elected)
    }

    /// Each round: every nominee's votes and keep factor, who was elected, defeated or
    /// excluded, and the weight exhausted.
    async fn rounds(&self) -> Vec<ElectionRound> {
        self.result
            .rounds
            .iter()
            .cloned()
            .map(|round| ElectionRound {
                election: self.election.clone(),
                round,
            })
            .collect()
    }

    /// Hex SHA-256 of the BLT export without its lines that start with `#`, `[` or `-` (the
    /// comments, the draw order and the withdrawn, which the count adds): the seed of the
    /// tie-break draw, which orders nominees by SHA-256(seed bytes ‖ nomination ID).
    async fn seed(&self) -> &str {
        &self.result.seed
    }

    /// The nominations in draw order: a tie goes to the earliest.
    async fn draw_order(&self, ctx: &Context<'_>) -> ApiResult<Vec<Nominee>> {
        nominations(ctx, &self.election, &self.result.draw_order).await
    }

    /// The IDs of the nominations in draw order (`drawOrder`'s IDs).
    async fn draw_order_ids(&self) -> Vec<ID> {
        nomination_ids(&self.result.draw_order)
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
    /// ballot order: counted by any STV program, it gives this result. After the first line,
    /// the draw order is Droop's `[tie …]` option (a tie goes against the first listed), and
    /// the nominees the organization rule excluded, which a BLT cannot express otherwise, are
    /// withdrawn candidates (`-n`), each explained by a `#` comment. Every weight is a whole
    /// number, since many STV programs read only whole weights: each counts in the unit the
    /// title line states, as `Board election [weights in units of 0.000000001 votes]` (the
    /// largest unit dividing every weight; `1 votes` when all are whole).
    async fn blt(&self, ctx: &Context<'_>) -> ApiResult<String> {
        let db = ctx.data::<DatabaseConnection>()?;
        let scale = self.scale()?;
        let ballots = published_ballots(db, self.election.id, scale).await?;
        let candidates = self.candidates()?;
        let (_, _, plain) = blt_of(
            &self.election.title,
            self.result.seats,
            &candidates,
            &ballots,
        );
        Ok(published_blt(&plain, &candidates, &self.result))
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

/// One round of the count, with the election it belongs to (to read its nominations).
pub struct ElectionRound {
    pub election: election::Model,
    pub round: StoredRound,
}

/// One round of a Meek STV count: the state after its last iteration.
#[Object]
impl ElectionRound {
    /// Round number, from 1.
    async fn number(&self) -> usize {
        self.round.number
    }

    /// Why the round ended.
    async fn end(&self) -> RoundEnd {
        self.round.end
    }

    /// How many times the votes were distributed in the round.
    async fn iterations(&self) -> usize {
        self.round.iterations
    }

    /// The quota of the round's last iteration.
    async fn quota(&self) -> String {
        self.round.quota.to_string()
    }

    /// The elected nominees' total surplus.
    async fn surplus(&self) -> String {
        self.round.surplus.to_string()
    }

    /// Each nominee's votes, keep factor and state.
    async fn tallies(&self) -> Vec<NomineeTally> {
        self.round
            .tallies
            .iter()
            .cloned()
            .map(|tally| NomineeTally {
                election: self.election.clone(),
                tally,
            })
            .collect()
    }

    /// Nominees elected in this round.
    async fn elected(&self, ctx: &Context<'_>) -> ApiResult<Vec<Nominee>> {
        nominations(ctx, &self.election, &self.round.elected).await
    }

    /// The IDs of the nominees elected in this round (`elected`'s IDs).
    async fn elected_ids(&self) -> Vec<ID> {
        nomination_ids(&self.round.elected)
    }

    /// Nominees defeated in this round.
    async fn defeated(&self, ctx: &Context<'_>) -> ApiResult<Vec<Nominee>> {
        nominations(ctx, &self.election, &self.round.defeated).await
    }

    /// The IDs of the nominees defeated in this round (`defeated`'s IDs).
    async fn defeated_ids(&self) -> Vec<ID> {
        nomination_ids(&self.round.defeated)
    }

    /// Nominees excluded in this round because a nominee of their organization was elected.
    async fn excluded(&self, ctx: &Context<'_>) -> ApiResult<Vec<Nominee>> {
        nominations(ctx, &self.election, &self.round.excluded).await
    }

    /// The IDs of the nominees excluded in this round (`excluded`'s IDs).
    async fn excluded_ids(&self) -> Vec<ID> {
        nomination_ids(&self.round.excluded)
    }

    /// Weight that no longer counts for any nominee.
    async fn exhausted(&self) -> String {
        self.round.exhausted.to_string()
    }
}

/// A nominee's numbers in a round, with the election (to read the nomination).
pub struct NomineeTally {
    pub election: election::Model,
    pub tally: StoredTally,
}

/// A nominee's numbers in one round.
#[Object]
impl NomineeTally {
    /// The nomination.
    async fn nomination(&self, ctx: &Context<'_>) -> ApiResult<Option<Nominee>> {
        Ok(nominations(
            ctx,
            &self.election,
            std::slice::from_ref(&self.tally.nomination),
        )
        .await?
        .pop())
    }

    /// The nomination's ID (`nomination`'s).
    async fn nomination_id(&self) -> ID {
        ids::id_of::<Nominee>(self.tally.nomination)
    }

    /// Votes, with 9 decimals.
    async fn votes(&self) -> String {
        self.tally.votes.to_string()
    }

    /// The keep factor, with 9 decimals.
    async fn keep_factor(&self) -> String {
        self.tally.keep_factor.to_string()
    }

    /// The nominee's state at the end of the round.
    async fn status(&self) -> Status {
        self.tally.status
    }
}

/// The nominations with these keys, in this order, as the election's `nominees` shows them to
/// the viewer (every counted nominee accepted, so all show). Read through the request's loaders:
/// asking for every round's lists costs no more statements than asking for one.
async fn nominations(
    ctx: &Context<'_>,
    election: &election::Model,
    keys: &[Uuid],
) -> ApiResult<Vec<Nominee>> {
    let mut shown: HashMap<Uuid, Nominee> = nominee::shown_in(ctx, election)
        .await?
        .into_iter()
        .map(|nominee| (nominee.row.id, nominee))
        .collect();
    Ok(keys.iter().filter_map(|key| shown.remove(key)).collect())
}

/// The global IDs of these nominations.
fn nomination_ids(keys: &[Uuid]) -> Vec<ID> {
    keys.iter().map(|key| ids::id_of::<Nominee>(*key)).collect()
}
