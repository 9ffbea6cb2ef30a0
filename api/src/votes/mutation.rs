//! The vote mutations: each parses its input, checks the role, and runs one command.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};

use crate::{
    amendments::{
        VoteBody,
        mutation::{AmendmentInput, AmendmentPayload, amendment_key},
        types::ballots::Vote,
    },
    audit::SubjectKind,
    auth::{Role, RoleGuard, SessionGuard},
    error::{ApiError, ApiResult},
    ids::{self, key_of, kind::AuditEvent as AuditEventKind},
    members::types::Membership,
    resolve::{run, run_announcing},
    services::Services,
    time::DateTime,
    votes::{
        VoteChoice,
        commands::{self, CastVote, OpenVote},
    },
};

/// Input of `openAmendmentVote`.
#[derive(InputObject)]
pub struct OpenVoteInput {
    /// The amendment, proposed and past its notice period.
    pub amendment_id: ID,
    /// Who votes.
    pub body: VoteBody,
    /// When voting closes: at least the policy's minimum voting period from now.
    pub closes_at: DateTime,
}

/// Input of `castAmendmentVote`.
#[derive(InputObject)]
pub struct CastVoteInput {
    /// The amendment being voted on.
    pub amendment_id: ID,
    /// The vote.
    pub choice: VoteChoice,
    /// The membership voting; may be left out when the viewer holds exactly one on the roll.
    pub membership_id: Option<ID>,
}

/// The vote recorded.
#[derive(SimpleObject)]
pub struct CastVotePayload {
    /// The vote.
    pub vote: Vote,
    /// The ID of the audit entry recording the vote: the voter's receipt. The voter may read
    /// it and fetch its inclusion proof (`auditInclusionProof(entryId:)`) once it is sealed,
    /// within a second.
    pub audit_entry_id: ID,
}

#[derive(Default)]
pub struct VoteMutation;

#[Object]
impl VoteMutation {
    /// Opens voting on a proposed amendment. SECRETARY only. The notice period fixed when it was
    /// submitted must have passed, `closesAt` must leave at least the minimum voting period
    /// fixed then, and the amendment must be based on the bylaws in force. One that touches a
    /// section defining membership rights goes to the members (BOARD is `CONFLICT`), as does one
    /// the secretary marked (BOARD is `BAD_USER_INPUT` on `input.body`). The voter roll is
    /// frozen now: members in good standing with their weights, or the directors in office.
    #[graphql(guard = "RoleGuard::new(Role::Secretary)")]
    async fn open_amendment_vote(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: OpenVoteInput,
    ) -> ApiResult<AmendmentPayload> {
        let input = OpenVote {
            amendment_id: amendment_key(&input.amendment_id)?,
            body: input.body,
            closes_at: input.closes_at.0,
        };
        run(ctx, input, commands::open)
            .await
            .map(AmendmentPayload::from)
    }

    /// Casts or changes a vote, until voting closes. A member votes each membership it holds on
    /// the roll (an organization's through one of its representatives); a director votes once.
    #[graphql(guard = "SessionGuard")]
    async fn cast_amendment_vote(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: CastVoteInput,
    ) -> ApiResult<CastVotePayload> {
        let state = ctx.data::<Services>()?;
        let input = CastVote {
            amendment_id: amendment_key(&input.amendment_id)?,
            choice: input.choice,
            membership_id: input
                .membership_id
                .as_ref()
                .map(|id| key_of::<Membership>(id, &crate::field!(input.membership_id)))
                .transpose()?,
        };
        let amendment = input.amendment_id;
        // Subscribers hear of it once it is committed, on every replica.
        let (cast, receipt) = run_announcing(
            ctx,
            &state.tally_events,
            amendment,
            input,
            async |tx, viewer, input| {
                let cast = commands::cast(tx, viewer, input).await?;
                let receipt = tx
                    .receipt(SubjectKind::Amendment, amendment)
                    .ok_or_else(|| ApiError::internal("a vote recorded no audit entry"))?;
                Ok((cast, receipt))
            },
        )
        .await?;
        Ok(CastVotePayload {
            vote: Vote {
                entry_id: cast.entry.id,
                choice: cast.choice,
                membership_id: cast.entry.membership_id,
                cast_at: cast.cast_at,
            },
            audit_entry_id: ids::id_of::<AuditEventKind>(receipt),
        })
    }

    /// Closes voting after `closesAt` and records the tally. SECRETARY only. In one
    /// transaction, a passed amendment writes the new bylaws version and becomes ADOPTED;
    /// otherwise it becomes REJECTED.
    #[graphql(guard = "RoleGuard::new(Role::Secretary)")]
    async fn close_amendment_vote(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: AmendmentInput,
    ) -> ApiResult<AmendmentPayload> {
        let state = ctx.data::<Services>()?;
        let id = amendment_key(&input.amendment_id)?;
        run_announcing(ctx, &state.tally_events, id, id, commands::close)
            .await
            .map(AmendmentPayload::from)
    }
}
