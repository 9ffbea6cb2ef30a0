//! The GraphQL types of elections: the election with its turnout and the viewer's entries on
//! its roll; its nominations (`nominee`) and its result (`result`) have files of their own.

pub mod nominee;
pub mod result;

use async_graphql::{Context, ID, Object, SimpleObject};
use entity::election::{self, ElectionState, SeatKind};

use crate::{
    auth::Viewer,
    elections::events::Turnout,
    elections::{
        eligibility::Candidacy,
        loader::{StandingLoader, TurnoutLoader, ViewerRollLoader},
        node_ids,
        record::{FrozenRules, StoredResult},
        types::{
            nominee::{Eligibility, Nominee},
            result::ElectionResult,
        },
    },
    error::ApiResult,
    ids::{self, NodeKind},
    loaders::loader,
    members::types::Membership,
    time::DateTime,
};

/// An election row.
#[derive(Clone, Debug)]
pub struct Election(pub election::Model);

impl NodeKind for Election {
    const KIND: &'static str = node_ids::ELECTION;
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
    pub async fn nominees_for(&self, ctx: &Context<'_>) -> ApiResult<Vec<Nominee>> {
        nominee::shown_in(ctx, &self.0).await
    }
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

/// A board election: by the election committee, `DRAFT → NOMINATING → VOTING → CLOSED →
/// CERTIFIED`, or `CANCELLED` before the close.
#[Object]
impl Election {
    /// The election's opaque global ID.
    pub async fn id(&self) -> ID {
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

    /// The ID of the audit entry the close wrote (`election.closed`), once the election closed:
    /// its summary holds the published ballots (each receipt's SHA-256 in hex and its ranking,
    /// in receipt-hash order). A voter finds their receipt's hash in the entry's `leaf` bytes and
    /// proves the entry is in the log with `auditInclusionProof(entryId:)`, which anyone who may
    /// see the election may ask. Null before the close.
    async fn ballots_audit_entry_id(&self, ctx: &Context<'_>) -> ApiResult<Option<ID>> {
        use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};
        if self.0.closed_at.is_none() {
            return Ok(None);
        }
        let db = ctx.data::<DatabaseConnection>()?;
        let entry = entity::prelude::AuditEvent::find()
            .select_only()
            .column(entity::audit_event::Column::Id)
            .filter(entity::audit_event::Column::SubjectId.eq(self.0.id))
            .filter(
                entity::audit_event::Column::Action
                    .eq(entity::audit_event::AuditAction::ElectionClosed),
            )
            .into_tuple::<uuid::Uuid>()
            .one(db)
            .await?;
        Ok(entry.map(ids::id_of::<ids::kind::AuditEvent>))
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

crate::connection!(ElectionConnection, ElectionEdge, Election);

#[cfg(test)]
mod tests {
    use crate::{accounts::types::Account, elections::node_ids, ids::NodeKind};

    /// The commands write an account's ID with the kind `node_ids` names: it must be the kind
    /// of the GraphQL type.
    #[test]
    fn the_account_kind_is_the_graphql_types() {
        assert_eq!(node_ids::ACCOUNT, <Account as NodeKind>::KIND);
    }
}
