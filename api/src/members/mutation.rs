//! Applying for membership, reviewing applications, and the committee's actions on memberships.

use std::collections::HashSet;

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use entity::membership::NoticeKind;
use uuid::Uuid;

use crate::{
    audit::SubjectKind,
    auth::{SessionGuard, Viewer},
    error::{ApiError, ApiResult},
    holders::Holder,
    ids::{self, key_of, kind::AuditEvent as AuditEventKind},
    input::text,
    members::{
        classes::MembershipClassKey,
        commands::{
            application::{self, Apply, RejectApplication, ReviewApplication},
            membership::{self, GiveNotice, RespondToNotice},
        },
        types::{Application, Membership},
    },
    mirrors::types::Mirror,
    organizations::types::Organization,
    resolve::run,
};

#[derive(Default)]
pub struct MembershipMutation;

/// Input of `applyForMembership`.
#[derive(InputObject)]
pub struct ApplyForMembershipInput {
    /// The class applied for: `CONTRIBUTOR` or `MIRROR`. Sponsor memberships follow a
    /// sponsorship instead.
    pub class: MembershipClassKey,
    /// Apply on this organization's behalf (its representatives only; Mirror only).
    pub organization_id: Option<ID>,
    /// Why the applicant should be a member.
    pub statement: String,
    /// The mirrors the applicant runs, for a Mirror application.
    #[graphql(default)]
    pub mirror_ids: Vec<ID>,
    /// Whether the membership may appear in public lists (default true).
    #[graphql(default = true)]
    pub disclose: bool,
}

/// Input of `withdrawApplication`.
#[derive(InputObject)]
pub struct WithdrawApplicationInput {
    /// The application to withdraw.
    pub application_id: ID,
}

/// A committee's decision.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum ReviewDecision {
    /// Accept: creates or renews the membership.
    Approve,
    /// Refuse, with a reason.
    Reject,
}

/// Input of `reviewApplication`.
#[derive(InputObject)]
pub struct ReviewApplicationInput {
    /// The application decided.
    pub application_id: ID,
    /// The decision.
    pub decision: ReviewDecision,
    /// Why; required to reject.
    pub reason: Option<String>,
}

/// Input of `renewMembership` and `withdrawMembershipNotice`.
#[derive(InputObject)]
pub struct MembershipInput {
    /// The membership.
    pub membership_id: ID,
}

/// Input of `suspendMembership` and `terminateMembership`.
#[derive(InputObject)]
pub struct MembershipNoticeInput {
    /// The membership.
    pub membership_id: ID,
    /// Why; the member sees it and may answer.
    pub reason: String,
}

/// Input of `respondToMembershipNotice`.
#[derive(InputObject)]
pub struct RespondToNoticeInput {
    /// The membership given notice.
    pub membership_id: ID,
    /// The member's answer to the committee.
    pub response: String,
}

/// The application after the change.
#[derive(SimpleObject)]
pub struct ApplicationPayload {
    /// The application.
    pub application: Application,
}

/// The application decided, and the membership an approval created or renewed.
#[derive(SimpleObject)]
pub struct ReviewApplicationPayload {
    /// The application.
    pub application: Application,
    /// The membership, when approved.
    pub membership: Option<Membership>,
    /// The ID of the audit entry recording the decision: the applicant's receipt. The applicant
    /// (or the organization's representatives) may read it and fetch its inclusion proof
    /// (`auditInclusionProof(entryId:)`) once it is sealed, within a second.
    pub audit_entry_id: ID,
}

/// The membership after the change.
#[derive(SimpleObject)]
pub struct MembershipPayload {
    /// The membership.
    pub membership: Membership,
}

/// A review, parsed: a rejection always carries its reason.
enum Decision {
    Approve(ReviewApplication),
    Reject(RejectApplication),
}

#[Object]
impl MembershipMutation {
    /// Applies for membership, for the viewer or an organization they represent. Contributor
    /// is for individuals; Mirror needs the applicant's mirrors. One open application per entity
    /// and class; an entity already holding an `ACTIVE` or `GRACE` membership of the class gets
    /// `CONFLICT` and is asked to have it renewed instead.
    #[graphql(guard = "SessionGuard")]
    async fn apply_for_membership(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: ApplyForMembershipInput,
    ) -> ApiResult<ApplicationPayload> {
        let viewer = Viewer::of(ctx);
        let me = viewer.require_account()?;
        let holder = match &input.organization_id {
            Some(id) => Holder::Organization(key_of::<Organization>(
                id,
                &crate::field!(input.organization_id),
            )?),
            None => Holder::Account(me.id),
        };
        let apply = Apply {
            class: input.class,
            holder,
            statement: text(&input.statement, &crate::field!(input.statement), 5000)?,
            mirror_ids: input
                .mirror_ids
                .iter()
                .map(|id| key_of::<Mirror>(id, &crate::field!(input.mirror_ids)))
                .collect::<ApiResult<HashSet<Uuid>>>()?,
            disclose: input.disclose,
        };
        let row = run(ctx, apply, application::apply).await?;
        Ok(ApplicationPayload {
            application: Application(row),
        })
    }

    /// Withdraws an application that is still waiting. For the applicant (or a representative
    /// of the organization applying).
    #[graphql(guard = "SessionGuard")]
    async fn withdraw_application(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: WithdrawApplicationInput,
    ) -> ApiResult<ApplicationPayload> {
        let id =
            key_of::<Application>(&input.application_id, &crate::field!(input.application_id))?;
        let row = run(ctx, id, application::withdraw).await?;
        Ok(ApplicationPayload {
            application: Application(row),
        })
    }

    /// Approves or rejects an application. For the class's committee (the Membership Committee
    /// for Contributor, the Technology Committee for Mirror), or an `ADMIN`. Of two reviewers
    /// deciding at once, one wins and the other gets `CONFLICT`.
    ///
    /// No one decides their own case: nobody reviews an application they made, nor one for an
    /// organization they represent (`FORBIDDEN`). Another member of the committee or an `ADMIN`
    /// must.
    #[graphql(guard = "SessionGuard")]
    async fn review_application(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: ReviewApplicationInput,
    ) -> ApiResult<ReviewApplicationPayload> {
        let viewer = Viewer::of(ctx);
        viewer.require_account()?;
        let application_id =
            key_of::<Application>(&input.application_id, &crate::field!(input.application_id))?;
        let reason = input
            .reason
            .as_deref()
            .filter(|reason| !reason.trim().is_empty())
            .map(|reason| text(reason, &crate::field!(input.reason), 5000))
            .transpose()?;
        let decision = match (input.decision, reason) {
            (ReviewDecision::Approve, reason) => Decision::Approve(ReviewApplication {
                application_id,
                reason,
            }),
            (ReviewDecision::Reject, Some(reason)) => Decision::Reject(RejectApplication {
                application_id,
                reason,
            }),
            (ReviewDecision::Reject, None) => {
                return Err(ApiError::bad_input(
                    crate::field!(input.reason),
                    "a rejection needs a reason",
                ));
            }
        };
        let (reviewed, receipt) = run(ctx, decision, async |tx, viewer, decision| {
            let reviewed = match decision {
                Decision::Approve(review) => application::approve(tx, viewer, review).await?,
                Decision::Reject(rejection) => application::reject(tx, viewer, rejection).await?,
            };
            let receipt = tx
                .receipt(SubjectKind::Application, application_id)
                .ok_or_else(|| ApiError::internal("a review recorded no audit entry"))?;
            Ok((reviewed, receipt))
        })
        .await?;
        Ok(ReviewApplicationPayload {
            application: Application(reviewed.application),
            membership: reviewed.membership.map(Membership),
            audit_entry_id: ids::id_of::<AuditEventKind>(receipt),
        })
    }

    /// Renews a membership for another term, back to `ACTIVE`, lifting a suspension or notice.
    /// For the class's committee, or an `ADMIN`; nobody renews their own membership or their
    /// organization's (`FORBIDDEN`). A terminated membership cannot be renewed, and a Mirror
    /// membership needs one of the holder's mirrors verified and not overdue for its re-check
    /// (`CONFLICT` otherwise).
    #[graphql(guard = "SessionGuard")]
    async fn renew_membership(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: MembershipInput,
    ) -> ApiResult<MembershipPayload> {
        let id = key_of::<Membership>(&input.membership_id, &crate::field!(input.membership_id))?;
        let row = run(ctx, id, membership::renew).await?;
        Ok(MembershipPayload {
            membership: Membership(row),
        })
    }

    /// Gives notice of suspension, effective after the policy's notice period. The member sees
    /// the reason and may answer. For the class's committee.
    #[graphql(guard = "SessionGuard")]
    async fn suspend_membership(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: MembershipNoticeInput,
    ) -> ApiResult<MembershipPayload> {
        give_notice(ctx, input, NoticeKind::Suspend).await
    }

    /// Gives notice of termination, effective after the policy's notice period. The member sees
    /// the reason and may answer. For the class's committee.
    #[graphql(guard = "SessionGuard")]
    async fn terminate_membership(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: MembershipNoticeInput,
    ) -> ApiResult<MembershipPayload> {
        give_notice(ctx, input, NoticeKind::Terminate).await
    }

    /// Withdraws a pending notice before it takes effect. For the class's committee.
    #[graphql(guard = "SessionGuard")]
    async fn withdraw_membership_notice(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: MembershipInput,
    ) -> ApiResult<MembershipPayload> {
        let id = key_of::<Membership>(&input.membership_id, &crate::field!(input.membership_id))?;
        let row = run(ctx, id, membership::withdraw_notice).await?;
        Ok(MembershipPayload {
            membership: Membership(row),
        })
    }

    /// Answers a suspension or termination notice: the member's chance to be heard. For the
    /// member (or a representative of the organization holding it), before it takes effect.
    #[graphql(guard = "SessionGuard")]
    async fn respond_to_membership_notice(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: RespondToNoticeInput,
    ) -> ApiResult<MembershipPayload> {
        let answer = RespondToNotice {
            membership_id: key_of::<Membership>(
                &input.membership_id,
                &crate::field!(input.membership_id),
            )?,
            response: text(&input.response, &crate::field!(input.response), 5000)?,
        };
        let row = run(ctx, answer, membership::respond_to_notice).await?;
        Ok(MembershipPayload {
            membership: Membership(row),
        })
    }
}

async fn give_notice(
    ctx: &Context<'_>,
    input: MembershipNoticeInput,
    kind: NoticeKind,
) -> ApiResult<MembershipPayload> {
    let notice = GiveNotice {
        membership_id: key_of::<Membership>(
            &input.membership_id,
            &crate::field!(input.membership_id),
        )?,
        kind,
        reason: text(&input.reason, &crate::field!(input.reason), 5000)?,
    };
    let row = run(ctx, notice, membership::give_notice).await?;
    Ok(MembershipPayload {
        membership: Membership(row),
    })
}
