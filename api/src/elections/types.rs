//! The GraphQL types of elections: the election, its nominations, its turnout and its result
//! with the round-by-round count, the published ballots and the BLT export.

use std::collections::HashMap;

use async_graphql::{Context, ID, Object, SimpleObject};
use entity::{
    election::{self, ElectionState, SeatKind},
    nomination::{self, NominationResponse},
};
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use crate::{
    accounts::{loader::AccountLoader, types::Account},
    auth::Viewer,
    elections::{
        count::{RoundEnd, Status},
        eligibility::{Candidacy, IneligibleReason, Standing},
        loader::{NominationsLoader, StandingLoader, TurnoutLoader, ViewerRollLoader},
        node_ids,
        published::{blt_of, published_ballots},
        record::{FrozenRules, StoredResult, StoredRound, StoredTally},
        visibility::{nomination_visible, standing_reason_visible},
    },
    error::ApiResult,
    ids::{self, NodeKind},
    loaders::{cached_loader, loader},
    members::types::Membership,
    organizations::{loader::OrganizationLoader, types::Organization},
    time::DateTime,
};

/// An election row.
#[derive(Clone, Debug)]
pub struct Election(pub election::Model);

impl NodeKind for Election {
    const KIND: &'static str = node_ids::ELECTION;
}

/// A nomination row, with the nominee's standing when it was worked out.
#[derive(Clone, Debug)]
pub struct Nominee {
    pub row: nomination::Model,
    pub standing: Option<Standing>,
    pub on_ballot: bool,
}

impl NodeKind for Nominee {
    const KIND: &'static str = node_ids::NOMINATION;
}

impl Election {
    fn rules(&self) -> ApiResult<Option<FrozenRules>> {
        self.0
            .rules
            .as_deref()
            .map(|r| FrozenRules::parse(Some(r)))
            .transpose()
    }

    /// The election's nominations the viewer may see, each with its nominee's standing.
    async fn nominees_for(&self, ctx: &Context<'_>) -> ApiResult<Vec<Nominee>> {
        let viewer = Viewer::of(ctx);
        let rows = loader::<NominationsLoader>(ctx)?
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        let rows: Vec<_> = rows
            .into_iter()
            .filter(|n| nomination_visible(n, viewer))
            .collect();
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let rules = self.rules()?;
        let candidacies: Vec<_> = rows
            .iter()
            .map(|n| Candidacy::in_election(&self.0, n.nominee_account_id, n.organization_id))
            .collect();
        // One batch for every election on the page: a constant number of statements.
        let standing = loader::<StandingLoader>(ctx)?
            .load_many(candidacies.iter().copied())
            .await?;
        Ok(rows
            .into_iter()
            .zip(candidacies)
            .map(|(row, candidacy)| {
                let on_ballot = rules
                    .as_ref()
                    .is_some_and(|r| r.candidates.contains(&row.id))
                    && row.disqualified_at.is_none();
                // Once voting opened, the ballot is what counts: its nominees were eligible then.
                let standing = if on_ballot {
                    Some(Standing::Eligible)
                } else {
                    standing.get(&candidacy).cloned()
                };
                Nominee {
                    row,
                    standing,
                    on_ballot,
                }
            })
            .collect())
    }
}

/// How many have voted, never how.
#[derive(SimpleObject, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(name = "ElectionTurnout")]
pub struct Turnout {
    /// Roll entries that cast a ballot.
    pub voted: u64,
    /// Entries on the roll (0 before voting opens).
    pub roll_size: u64,
}

/// One of the viewer's memberships on the election's roll.
#[derive(SimpleObject, Clone, Debug)]
pub struct ElectionRollEntry {
    /// The membership that votes.
    pub membership_id: ID,
    /// Its weight before the influence cap.
    pub nominal_weight: i32,
    /// Whether its ballot was cast.
    pub voted: bool,
}

/// A nominee's standing against the eligibility rules.
#[derive(SimpleObject, Clone, Debug)]
pub struct Eligibility {
    /// Whether the person may stand.
    pub eligible: bool,
    /// Which rule bars them, if any.
    pub reason: Option<IneligibleReason>,
    /// Why they may not stand, for people to read.
    pub message: Option<String>,
}

impl From<&Standing> for Eligibility {
    fn from(standing: &Standing) -> Self {
        match standing {
            Standing::Eligible => Self {
                eligible: true,
                reason: None,
                message: None,
            },
            Standing::Ineligible { reason, message } => Self {
                eligible: false,
                reason: Some(*reason),
                message: Some(message.clone()),
            },
        }
    }
}

/// A board election: by the election committee, `DRAFT → NOMINATING → VOTING → CLOSED →
/// CERTIFIED`, or `CANCELLED` before the close.
#[Object]
impl Election {
    /// The election's opaque global ID.
    async fn id(&self) -> ID {
        ids::id_of::<Self>(self.0.id)
    }

    /// The title.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// General seats, or the Community Director seat.
    async fn kind(&self) -> SeatKind {
        self.0.kind
    }

    /// How many seats it fills.
    async fn seats(&self) -> i32 {
        self.0.seats
    }

    /// Where the election is in its life.
    async fn state(&self) -> ElectionState {
        self.0.state
    }

    /// Nominees must accept before this.
    async fn nominations_close_at(&self) -> DateTime {
        self.0.nominations_close_at.into()
    }

    /// Voting opens no earlier than this.
    async fn voting_opens_at(&self) -> DateTime {
        self.0.voting_opens_at.into()
    }

    /// When voting closes (a turnout extension moves it).
    async fn voting_closes_at(&self) -> DateTime {
        self.0.voting_closes_at.into()
    }

    /// How many times voting was extended for low turnout.
    async fn extensions(&self) -> i32 {
        self.0.extensions
    }

    /// When the election was created.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When voting opened.
    async fn voting_opened_at(&self) -> Option<DateTime> {
        self.0.voting_opened_at.map(Into::into)
    }

    /// When voting closed and the count ran.
    async fn closed_at(&self) -> Option<DateTime> {
        self.0.closed_at.map(Into::into)
    }

    /// When the committee certified the result.
    async fn certified_at(&self) -> Option<DateTime> {
        self.0.certified_at.map(Into::into)
    }

    /// When the election was cancelled.
    async fn cancelled_at(&self) -> Option<DateTime> {
        self.0.cancelled_at.map(Into::into)
    }

    /// Why the election was cancelled.
    async fn cancel_reason(&self) -> Option<&str> {
        self.0.cancel_reason.as_deref()
    }

    /// Entries on the frozen roll; null before voting opens.
    async fn roll_size(&self) -> ApiResult<Option<u64>> {
        Ok(self.rules()?.map(|r| r.roll_size))
    }

    /// The factor the influence cap applied to every sponsor's weight on the roll (1 when it
    /// did not bind); null before voting opens.
    async fn sponsor_scale(&self) -> ApiResult<Option<f64>> {
        Ok(self.rules()?.map(|r| r.sponsor_scale))
    }

    /// How many have voted out of the roll: turnout only, never partial results.
    async fn turnout(&self, ctx: &Context<'_>) -> ApiResult<Turnout> {
        let roll_size = self.rules()?.map_or(0, |r| r.roll_size);
        let voted = loader::<TurnoutLoader>(ctx)?
            .load_one(self.0.id)
            .await?
            .unwrap_or(0);
        Ok(Turnout { voted, roll_size })
    }

    /// The nominations the viewer may see (accepted ones are public), each with the nominee's
    /// eligibility.
    async fn nominees(&self, ctx: &Context<'_>) -> ApiResult<Vec<Nominee>> {
        self.nominees_for(ctx).await
    }

    /// The count, once the election closed: null before.
    async fn result(&self) -> ApiResult<Option<ElectionResult>> {
        Ok(
            StoredResult::parse(self.0.result.as_deref())?.map(|result| ElectionResult {
                election: self.0.clone(),
                result,
            }),
        )
    }

    /// Whether the viewer may cast a ballot now: voting is open and one of their entries on the
    /// roll has not voted. False when anonymous.
    async fn viewer_can_vote(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        if self.0.state != ElectionState::Voting || chrono::Utc::now() >= self.0.voting_closes_at {
            return Ok(false);
        }
        Ok(self.viewer_entries(ctx).await?.iter().any(|e| !e.voted))
    }

    /// Whether a ballot was cast for one of the viewer's entries on the roll. The viewer keeps
    /// the receipt; the server cannot tell which ballot is theirs.
    async fn viewer_has_voted(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        Ok(self.viewer_entries(ctx).await?.iter().any(|e| e.voted))
    }

    /// The viewer's memberships on the roll (their own and their organizations'), and whether
    /// each voted. Empty when anonymous or before voting opens.
    async fn viewer_roll_entries(&self, ctx: &Context<'_>) -> ApiResult<Vec<ElectionRollEntry>> {
        Ok(self
            .viewer_entries(ctx)
            .await?
            .into_iter()
            .map(|e| ElectionRollEntry {
                membership_id: ids::id_of::<Membership>(e.entry.membership_id),
                nominal_weight: e.entry.nominal_weight,
                voted: e.voted,
            })
            .collect())
    }

    /// The nominations the viewer received in this election.
    async fn viewer_nominations(&self, ctx: &Context<'_>) -> ApiResult<Vec<Nominee>> {
        let Some(me) = Viewer::of(ctx).account_id() else {
            return Ok(Vec::new());
        };
        Ok(self
            .nominees_for(ctx)
            .await?
            .into_iter()
            .filter(|n| n.row.nominee_account_id == me)
            .collect())
    }

    /// The viewer's own standing against the eligibility rules, were they nominated in this
    /// election; null when anonymous.
    async fn viewer_standing(&self, ctx: &Context<'_>) -> ApiResult<Option<Eligibility>> {
        let Some(me) = Viewer::of(ctx).account_id() else {
            return Ok(None);
        };
        let standing = loader::<StandingLoader>(ctx)?
            .load_one(Candidacy::in_election(&self.0, me, None))
            .await?;
        Ok(standing.as_ref().map(Eligibility::from))
    }
}

impl Election {
    async fn viewer_entries(
        &self,
        ctx: &Context<'_>,
    ) -> ApiResult<Vec<crate::elections::loader::ViewerEntry>> {
        let Some(me) = Viewer::of(ctx).account_id() else {
            return Ok(Vec::new());
        };
        if self.0.rules.is_none() {
            return Ok(Vec::new());
        }
        Ok(loader::<ViewerRollLoader>(ctx)?
            .load_one((self.0.id, me))
            .await?
            .unwrap_or_default())
    }
}

/// A person nominated in an election, their answer and their eligibility.
#[Object(name = "Nomination")]
impl Nominee {
    /// The nomination's opaque global ID: what a ballot ranks.
    async fn id(&self) -> ID {
        ids::id_of::<Self>(self.row.id)
    }

    /// The election.
    async fn election_id(&self) -> ID {
        ids::id_of::<Election>(self.row.election_id)
    }

    /// The person nominated.
    async fn nominee(&self, ctx: &Context<'_>) -> ApiResult<Option<Account>> {
        Ok(cached_loader::<AccountLoader>(ctx)?
            .load_one(self.row.nominee_account_id)
            .await?
            .map(Account::new))
    }

    /// Why the nominator nominated them.
    async fn statement(&self) -> Option<&str> {
        self.row.statement.as_deref()
    }

    /// The nominee's own statement.
    async fn nominee_statement(&self) -> Option<&str> {
        self.row.nominee_statement.as_deref()
    }

    /// The nominee's answer.
    async fn response(&self) -> NominationResponse {
        self.row.response
    }

    /// Whether the nominee accepted.
    async fn accepted(&self) -> bool {
        self.row.response == NominationResponse::Accepted
    }

    /// The organization the nominee works for or represents, as declared on accepting.
    async fn organization(&self, ctx: &Context<'_>) -> ApiResult<Option<Organization>> {
        let Some(id) = self.row.organization_id else {
            return Ok(None);
        };
        Ok(cached_loader::<OrganizationLoader>(ctx)?
            .load_one(id)
            .await?
            .map(Organization))
    }

    /// Whether the committee disqualified the nominee.
    async fn disqualified(&self) -> bool {
        self.row.disqualified_at.is_some()
    }

    /// Why the committee disqualified the nominee.
    async fn disqualified_reason(&self) -> Option<&str> {
        self.row.disqualified_reason.as_deref()
    }

    /// Whether the nominee meets the eligibility rules (once voting opened: whether they were on
    /// the ballot).
    async fn eligible(&self) -> bool {
        matches!(self.standing, Some(Standing::Eligible))
    }

    /// The nominee's standing against the eligibility rules. The reason when they fail is for
    /// the nominee and the election committee; others see only `eligible`.
    async fn eligibility(&self, ctx: &Context<'_>) -> Option<Eligibility> {
        let mut shown = self.standing.as_ref().map(Eligibility::from)?;
        if !standing_reason_visible(&self.row, Viewer::of(ctx)) {
            shown.reason = None;
            shown.message = None;
        }
        Some(shown)
    }

    /// Whether the nominee is on the frozen ballot (accepted, eligible and not disqualified
    /// when voting opened, and not disqualified since).
    async fn on_ballot(&self) -> bool {
        self.on_ballot
    }
}

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

crate::connection!(ElectionConnection, ElectionEdge, Election);

#[cfg(test)]
mod tests {
    use super::*;

    /// The commands write an account's ID with the kind `node_ids` names: it must be the kind
    /// of the GraphQL type.
    #[test]
    fn the_account_kind_is_the_graphql_types() {
        assert_eq!(node_ids::ACCOUNT, <Account as NodeKind>::KIND);
    }
}
