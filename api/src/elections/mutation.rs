//! The election mutations: each parses its input, checks the role, and runs one command.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use entity::election::SeatKind;

use crate::{
    auth::{Role, RoleGuard, SessionGuard},
    elections::{
        ballots::{self, CastBallot},
        events::TurnoutEvents,
        lifecycle::{
            cancel::cancel,
            certify::certify,
            close::{Closed, close},
            create::{CreateElection, create},
            open::{open_nominations, open_voting},
        },
        nominations::{self, Nominate, Respond},
        types::{Election, nominee::Nominee},
    },
    error::ApiResult,
    ids::key_of,
    input,
    members::types::Membership,
    resolve::{run, run_announcing},
    services::Services,
    time::DateTime,
};

/// Input of `createElection`.
#[derive(InputObject)]
pub struct CreateElectionInput {
    /// A title, such as "Board election 2027".
    pub title: String,
    /// General seats, or the Community Director seat (one seat).
    pub kind: SeatKind,
    /// How many seats it fills.
    pub seats: i32,
    /// Nominees must accept before this; at least the policy's days before voting opens.
    pub nominations_close_at: DateTime,
    /// When voting may open.
    pub voting_opens_at: DateTime,
    /// When voting closes; at least the policy's minimum days after it opens.
    pub voting_closes_at: DateTime,
}

/// Input naming an election.
#[derive(InputObject)]
pub struct ElectionInput {
    /// The election.
    pub election_id: ID,
}

/// Input of `cancelElection`.
#[derive(InputObject)]
pub struct CancelElectionInput {
    /// The election, not yet closed.
    pub election_id: ID,
    /// Why it is cancelled; published.
    pub reason: String,
}

/// Input of `nominate`.
#[derive(InputObject)]
pub struct NominateInput {
    /// The election, taking nominations.
    pub election_id: ID,
    /// The person nominated: anyone but yourself.
    pub nominee_account_id: ID,
    /// Why you nominate them.
    pub statement: Option<String>,
}

/// Input of `respondToNomination`.
#[derive(InputObject)]
pub struct RespondToNominationInput {
    /// The nomination you received.
    pub nomination_id: ID,
    /// Whether you stand.
    pub accept: bool,
    /// Your statement to the voters.
    pub statement: Option<String>,
    /// The organization you work for or represent, among those you represent; may be left out
    /// when you represent none or one.
    pub organization_id: Option<ID>,
    /// For a member who asked not to be listed: you agree to be named as a candidate, which
    /// shows everyone that you are an eligible member for this election's purpose.
    pub agree_to_be_named: Option<bool>,
}

/// Input of `disqualifyNominee`.
#[derive(InputObject)]
pub struct DisqualifyNomineeInput {
    /// The nomination.
    pub nomination_id: ID,
    /// Why; shown on the nomination.
    pub reason: String,
}

/// Input of `castBallot`.
#[derive(InputObject)]
pub struct CastBallotInput {
    /// The election, voting.
    pub election_id: ID,
    /// The nominations you rank, best first: any number of the nominees on the ballot.
    pub ranking: Vec<ID>,
    /// The membership voting; may be left out when you hold exactly one on the roll.
    pub membership_id: Option<ID>,
}

/// The election after the change.
#[derive(SimpleObject)]
pub struct ElectionPayload {
    /// The election.
    pub election: Election,
}

/// The nomination after the change.
#[derive(SimpleObject)]
pub struct NominationPayload {
    /// The nomination.
    pub nomination: Nominee,
}

/// The receipt of a ballot cast.
#[derive(SimpleObject)]
pub struct CastBallotPayload {
    /// A random secret: keep it. After the close, the SHA-256 (hex) of it is published beside
    /// your ballot, so you can check it was counted as cast. The server keeps only the hash and
    /// cannot show it again.
    pub receipt: String,
}

fn election_key(id: &ID) -> ApiResult<uuid::Uuid> {
    key_of::<Election>(id, &crate::field!(input.election_id))
}

fn nomination_key(id: &ID) -> ApiResult<uuid::Uuid> {
    key_of::<Nominee>(id, &crate::field!(input.nomination_id))
}

impl ElectionPayload {
    fn of(row: entity::election::Model) -> Self {
        Self {
            election: Election(row),
        }
    }
}

impl NominationPayload {
    fn of(row: entity::nomination::Model) -> Self {
        Self {
            nomination: Nominee {
                row,
                standing: None,
                on_ballot: false,
            },
        }
    }
}

/// The election turnout feed, which casting a ballot and opening or closing voting announce to.
fn turnout<'a>(ctx: &Context<'a>) -> ApiResult<&'a TurnoutEvents> {
    Ok(&ctx.data::<Services>()?.turnout_events)
}

#[derive(Default)]
pub struct ElectionMutation;

#[Object]
impl ElectionMutation {
    /// Creates an election in DRAFT. ELECTION_COMMITTEE or ADMIN. The nominee list closes at least
    /// the policy's days before voting opens (10 by default), and voting lasts at least the
    /// policy's minimum (10 days by default).
    #[graphql(guard = "RoleGuard::any(&[Role::ElectionCommittee, Role::Admin])")]
    async fn create_election(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: CreateElectionInput,
    ) -> ApiResult<ElectionPayload> {
        let input = CreateElection {
            title: input::text(&input.title, &crate::field!(input.title), 200)?,
            kind: input.kind,
            seats: input.seats,
            nominations_close_at: input.nominations_close_at.0,
            voting_opens_at: input.voting_opens_at.0,
            voting_closes_at: input.voting_closes_at.0,
        };
        let row = run(ctx, input, create).await?;
        Ok(ElectionPayload::of(row))
    }

    /// Opens nominations. ELECTION_COMMITTEE or ADMIN.
    #[graphql(guard = "RoleGuard::any(&[Role::ElectionCommittee, Role::Admin])")]
    async fn open_nominations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: ElectionInput,
    ) -> ApiResult<ElectionPayload> {
        let id = election_key(&input.election_id)?;
        let row = run(ctx, id, open_nominations).await?;
        Ok(ElectionPayload::of(row))
    }

    /// Opens voting once the nominee list closed and the opening time came. ELECTION_COMMITTEE
    /// or ADMIN, never a nominee or one who shares an organization with a nominee. Freezes the
    /// roll (with the influence cap's factor) and the nominee list.
    #[graphql(guard = "RoleGuard::any(&[Role::ElectionCommittee, Role::Admin])")]
    async fn open_election_voting(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: ElectionInput,
    ) -> ApiResult<ElectionPayload> {
        let id = election_key(&input.election_id)?;
        let row = run_announcing(ctx, turnout(ctx)?, id, id, open_voting).await?;
        Ok(ElectionPayload::of(row))
    }

    /// Closes voting once its time came, counts the ballots and publishes the result.
    /// ELECTION_COMMITTEE or ADMIN, never a nominee or one who shares an organization with a
    /// nominee. While turnout is below the policy's threshold (when set) and
    /// extensions remain, voting is extended instead and the election stays VOTING.
    #[graphql(guard = "RoleGuard::any(&[Role::ElectionCommittee, Role::Admin])")]
    async fn close_election(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: ElectionInput,
    ) -> ApiResult<ElectionPayload> {
        let id = election_key(&input.election_id)?;
        let (row, counted) = match run_announcing(ctx, turnout(ctx)?, id, id, close).await? {
            Closed::Counted(row) => (row, true),
            Closed::Extended(row) => (row, false),
        };
        if counted {
            ballots::scrub(&ctx.data::<Services>()?.db).await;
        }
        Ok(ElectionPayload::of(row))
    }

    /// Certifies a closed election's result and seats the winners for their term.
    /// ELECTION_COMMITTEE or ADMIN, never a nominee or one who shares an organization with a
    /// nominee.
    #[graphql(guard = "RoleGuard::any(&[Role::ElectionCommittee, Role::Admin])")]
    async fn certify_election(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: ElectionInput,
    ) -> ApiResult<ElectionPayload> {
        let id = election_key(&input.election_id)?;
        let row = run(ctx, id, certify).await?;
        Ok(ElectionPayload::of(row))
    }

    /// Cancels an election before its close, with a reason. ELECTION_COMMITTEE or ADMIN, never
    /// a nominee or one who shares an organization with a nominee.
    #[graphql(guard = "RoleGuard::any(&[Role::ElectionCommittee, Role::Admin])")]
    async fn cancel_election(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: CancelElectionInput,
    ) -> ApiResult<ElectionPayload> {
        let id = election_key(&input.election_id)?;
        let reason = input::text(&input.reason, &crate::field!(input.reason), 2000)?;
        let row = run(ctx, (id, reason), async |tx, viewer, (id, reason)| {
            cancel(tx, viewer, id, reason).await
        })
        .await?;
        // Ballots cast before the cancellation were rewritten in its transaction.
        ballots::scrub(&ctx.data::<Services>()?.db).await;
        Ok(ElectionPayload::of(row))
    }

    /// Nominates another person while nominations are open. Any member in good standing; never
    /// yourself.
    #[graphql(guard = "SessionGuard")]
    async fn nominate(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: NominateInput,
    ) -> ApiResult<NominationPayload> {
        let input = Nominate {
            election_id: election_key(&input.election_id)?,
            nominee: key_of::<crate::accounts::types::Account>(
                &input.nominee_account_id,
                &crate::field!(input.nominee_account_id),
            )?,
            statement: input::optional_text(
                input.statement.as_deref(),
                &crate::field!(input.statement),
                4000,
            )?,
        };
        let row = run(ctx, input, nominations::nominate).await?;
        Ok(NominationPayload::of(row))
    }

    /// Accepts or declines a nomination, until the nominee list closes. The nominee only; a
    /// member who asked not to be listed accepts only with `agreeToBeNamed`.
    #[graphql(guard = "SessionGuard")]
    async fn respond_to_nomination(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: RespondToNominationInput,
    ) -> ApiResult<NominationPayload> {
        let input = Respond {
            nomination_id: nomination_key(&input.nomination_id)?,
            accept: input.accept,
            statement: input::optional_text(
                input.statement.as_deref(),
                &crate::field!(input.statement),
                4000,
            )?,
            organization_id: input
                .organization_id
                .as_ref()
                .map(|id| {
                    key_of::<crate::organizations::types::Organization>(
                        id,
                        &crate::field!(input.organization_id),
                    )
                })
                .transpose()?,
            agree_to_be_named: input.agree_to_be_named.unwrap_or(false),
        };
        let row = run(ctx, input, nominations::respond).await?;
        Ok(NominationPayload::of(row))
    }

    /// Disqualifies a nominee, with a reason, before the close. ELECTION_COMMITTEE or ADMIN, never
    /// a nominee or one who shares an organization with a nominee.
    #[graphql(guard = "RoleGuard::any(&[Role::ElectionCommittee, Role::Admin])")]
    async fn disqualify_nominee(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: DisqualifyNomineeInput,
    ) -> ApiResult<NominationPayload> {
        let id = nomination_key(&input.nomination_id)?;
        let reason = input::text(&input.reason, &crate::field!(input.reason), 2000)?;
        let row = run(ctx, (id, reason), async |tx, viewer, (id, reason)| {
            nominations::disqualify(tx, viewer, id, reason).await
        })
        .await?;
        Ok(NominationPayload::of(row))
    }

    /// Casts a secret ballot: a ranking of nominations, best first. One per membership on the
    /// roll (an organization's through one of its representatives); it cannot be changed.
    /// Returns a receipt to keep.
    #[graphql(guard = "SessionGuard")]
    async fn cast_ballot(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: CastBallotInput,
    ) -> ApiResult<CastBallotPayload> {
        let input = CastBallot {
            election_id: election_key(&input.election_id)?,
            ranking: input
                .ranking
                .iter()
                .map(|id| key_of::<Nominee>(id, &crate::field!(input.ranking)))
                .collect::<ApiResult<_>>()?,
            membership_id: input
                .membership_id
                .as_ref()
                .map(|id| key_of::<Membership>(id, &crate::field!(input.membership_id)))
                .transpose()?,
        };
        let election = input.election_id;
        let receipt = run_announcing(ctx, turnout(ctx)?, election, input, ballots::cast).await?;
        Ok(CastBallotPayload { receipt })
    }
}
