//! The GraphQL type of a nomination (`Nomination`): the nominee, their answer, and their
//! eligibility as the viewer may read it.

use async_graphql::{Context, ID, Object, SimpleObject};
use entity::{
    election,
    nomination::{self, NominationResponse},
};

use crate::{
    accounts::{loader::AccountLoader, types::Account},
    auth::Viewer,
    elections::{
        eligibility::{Candidacy, IneligibleReason, Standing},
        loader::{NominationsLoader, StandingLoader},
        node_ids,
        record::FrozenRules,
        visibility::{nomination_visible, standing_reason_visible, standing_visible},
    },
    error::ApiResult,
    ids::{self, NodeKind},
    loaders::{cached_loader, loader},
    organizations::{loader::OrganizationLoader, types::Organization},
};

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

/// A person nominated in an election, their answer and their eligibility.
#[Object(name = "Nomination")]
impl Nominee {
    /// The nomination's opaque global ID: what a ballot ranks.
    pub async fn id(&self) -> ID {
        ids::id_of::<Self>(self.row.id)
    }

    /// The election.
    async fn election_id(&self) -> ID {
        node_ids::election_id(self.row.election_id)
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
    /// the ballot). Until the nominee accepts, false for everyone but the nominee, the election
    /// committee and administrators: their standing is theirs to disclose by accepting.
    async fn eligible(&self) -> bool {
        matches!(self.standing, Some(Standing::Eligible))
    }

    /// The nominee's standing against the eligibility rules. The reason when they fail is for
    /// the nominee and the election committee; others see only `eligible`, and only once the
    /// nominee accepted (null before).
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

/// The nominations of `election` the viewer may see, each with its nominee's standing: what
/// `Election.nominees` shows, and what its result and `node(id:)` name.
pub async fn shown_in(ctx: &Context<'_>, election: &election::Model) -> ApiResult<Vec<Nominee>> {
    let viewer = Viewer::of(ctx);
    let rows = loader::<NominationsLoader>(ctx)?
        .load_one(election.id)
        .await?
        .unwrap_or_default();
    let rows: Vec<_> = rows
        .into_iter()
        .filter(|n| nomination_visible(n, viewer))
        .collect();
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let rules = election
        .rules
        .as_deref()
        .map(|r| FrozenRules::parse(Some(r)))
        .transpose()?;
    let candidacies: Vec<_> = rows
        .iter()
        .map(|n| Candidacy::in_election(election, n.nominee_account_id, n.organization_id))
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
            } else if standing_visible(&row, viewer) {
                standing.get(&candidacy).cloned()
            } else {
                None
            };
            Nominee {
                row,
                standing,
                on_ballot,
            }
        })
        .collect())
}
