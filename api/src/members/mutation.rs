//! Applying for membership, reviewing applications, and the committee's actions on memberships.

use std::collections::HashSet;

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::Utc;
use entity::{
    application, application_mirror, membership,
    prelude::{Application as Applications, Membership as Memberships, Mirror as Mirrors},
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, Set,
    sea_query::Expr,
};
use serde_json::json;
use uuid::Uuid;

use crate::{
    AppState,
    audit::{self, Actor, Entry},
    auth::{Role, SessionGuard, Viewer},
    db::begin_write,
    error::{ApiError, ApiResult, on_unique_violation},
    ids::{self, key_of},
    input::text,
    members::{
        classes::MembershipClassKey,
        db::{Grant, Term, grant_membership},
        holder::Holder,
        status::{MembershipStatus, notice, stored},
        types::{Application, ApplicationStatus, Membership},
    },
    mirrors::types::{Mirror, MirrorStatus, effective_status},
    policy,
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
}

/// The membership after the change.
#[derive(SimpleObject)]
pub struct MembershipPayload {
    /// The membership.
    pub membership: Membership,
}

/// The committee that acts on memberships of a class.
fn committee_for(class: MembershipClassKey) -> Role {
    class.approving_role().unwrap_or(Role::Treasurer)
}

#[Object]
impl MembershipMutation {
    /// Applies for membership, for the viewer or an organization they represent. Contributor
    /// is for individuals; Mirror needs the applicant's mirrors. One open application per entity
    /// and class.
    #[graphql(guard = "SessionGuard")]
    async fn apply_for_membership(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: ApplyForMembershipInput,
    ) -> ApiResult<ApplicationPayload> {
        let state = ctx.data::<AppState>()?;
        let me = Viewer::of(ctx).require_account()?;
        if input.class == MembershipClassKey::Sponsor {
            return Err(ApiError::bad_input(
                "input.class",
                "Sponsor memberships follow an active sponsorship; they are not applied for",
            ));
        }
        if input.class == MembershipClassKey::Contributor && input.organization_id.is_some() {
            return Err(ApiError::bad_input(
                "input.organizationId",
                "Contributor membership is for individuals only",
            ));
        }
        let holder =
            Holder::acting(ctx, input.organization_id.as_ref(), "input.organizationId").await?;
        let statement = text(&input.statement, "input.statement", 5000)?;
        let mirror_ids = input
            .mirror_ids
            .iter()
            .map(|id| key_of::<Mirror>(id, "input.mirrorIds"))
            .collect::<ApiResult<HashSet<Uuid>>>()?;
        match input.class {
            MembershipClassKey::Mirror if mirror_ids.is_empty() => {
                return Err(ApiError::bad_input(
                    "input.mirrorIds",
                    "a Mirror application names the applicant's mirrors",
                ));
            }
            MembershipClassKey::Contributor if !mirror_ids.is_empty() => {
                return Err(ApiError::bad_input(
                    "input.mirrorIds",
                    "only a Mirror application names mirrors",
                ));
            }
            _ => {}
        }
        let tx = begin_write(&state.db).await?;
        let owned = Mirrors::find()
            .filter(entity::mirror::Column::Id.is_in(mirror_ids.iter().copied()))
            .filter(entity::mirror::Column::OwnerKey.eq(holder.key()))
            .all(&tx)
            .await?;
        if owned.len() != mirror_ids.len() {
            return Err(ApiError::bad_input(
                "input.mirrorIds",
                "every mirror must exist and belong to the applicant",
            ));
        }
        let (holder_account_id, holder_organization_id) = holder.columns();
        let row = application::ActiveModel {
            id: Set(ids::new_key()),
            class_key: Set(input.class.as_str().to_owned()),
            applicant_id: Set(me.id),
            holder_key: Set(holder.key()),
            holder_account_id: Set(holder_account_id),
            holder_organization_id: Set(holder_organization_id),
            statement: Set(statement),
            disclose: Set(input.disclose),
            status: Set(ApplicationStatus::Submitted.as_str().to_owned()),
            decision_reason: Set(None),
            decided_by: Set(None),
            submitted_at: Set(Utc::now()),
            decided_at: Set(None),
        }
        .insert(&tx)
        .await
        .map_err(|err| {
            on_unique_violation(err, || {
                ApiError::conflict("an application for this class is already waiting for review")
            })
        })?;
        for mirror_id in &mirror_ids {
            application_mirror::ActiveModel {
                application_id: Set(row.id),
                mirror_id: Set(*mirror_id),
            }
            .insert(&tx)
            .await?;
        }
        audit::record(
            &tx,
            Entry {
                actor: Actor::Account(me.id),
                action: "application.submitted",
                subject_kind: "Application",
                subject_id: row.id,
                summary: json!({
                    "class": row.class_key,
                    "holder": row.holder_key,
                    "disclose": row.disclose,
                    "mirrors": mirror_ids,
                }),
            },
        )
        .await?;
        tx.commit().await?;
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
        let state = ctx.data::<AppState>()?;
        let me = Viewer::of(ctx).require_account()?;
        let id = key_of::<Application>(&input.application_id, "input.applicationId")?;
        let current = visible_application(ctx, id).await?;
        let mine =
            current.0.applicant_id == me.id || current.holder_entity()?.is_viewer(ctx).await?;
        if !mine {
            return Err(ApiError::forbidden(
                "only the applicant can withdraw an application",
            ));
        }
        let tx = begin_write(&state.db).await?;
        let row = decide(&tx, id, ApplicationStatus::Withdrawn, me.id, None).await?;
        audit::record(
            &tx,
            Entry {
                actor: Actor::Account(me.id),
                action: "application.withdrawn",
                subject_kind: "Application",
                subject_id: id,
                summary: json!({ "class": row.class_key }),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(ApplicationPayload {
            application: Application(row),
        })
    }

    /// Approves or rejects an application. For the class's committee: the Membership Committee
    /// for Contributor, the Technology Committee for Mirror. Of two reviewers deciding at once,
    /// one wins and the other gets `CONFLICT`.
    #[graphql(guard = "SessionGuard")]
    async fn review_application(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: ReviewApplicationInput,
    ) -> ApiResult<ReviewApplicationPayload> {
        let state = ctx.data::<AppState>()?;
        let viewer = Viewer::of(ctx);
        let me = viewer.require_account()?;
        let id = key_of::<Application>(&input.application_id, "input.applicationId")?;
        let current = visible_application(ctx, id).await?;
        let class = MembershipClassKey::parse(&current.0.class_key)
            .ok_or_else(|| ApiError::internal("an application has an unknown class"))?;
        let committee = committee_for(class);
        if !viewer.has_role(committee) {
            return Err(ApiError::forbidden(format!(
                "applications for {} are reviewed by {}",
                class.as_str(),
                committee.as_str()
            )));
        }
        let reason = input
            .reason
            .as_deref()
            .filter(|reason| !reason.trim().is_empty())
            .map(|reason| text(reason, "input.reason", 5000))
            .transpose()?;
        if input.decision == ReviewDecision::Reject && reason.is_none() {
            return Err(ApiError::bad_input(
                "input.reason",
                "a rejection needs a reason",
            ));
        }
        let tx = begin_write(&state.db).await?;
        let policy = policy::current(&tx).await?;
        let status = match input.decision {
            ReviewDecision::Approve => ApplicationStatus::Approved,
            ReviewDecision::Reject => ApplicationStatus::Rejected,
        };
        let row = decide(&tx, id, status, me.id, reason.clone()).await?;
        audit::record(
            &tx,
            Entry {
                actor: Actor::Account(me.id),
                action: if status == ApplicationStatus::Approved {
                    "application.approved"
                } else {
                    "application.rejected"
                },
                subject_kind: "Application",
                subject_id: id,
                summary: json!({ "class": row.class_key, "holder": row.holder_key, "reason": reason }),
            },
        )
        .await?;
        let membership = if status == ApplicationStatus::Approved {
            let term_months = match class {
                MembershipClassKey::Mirror => {
                    require_verified_mirror(&tx, id, policy.mirror_recheck_months).await?;
                    policy.mirror_recheck_months
                }
                _ => policy.contributor_term_months,
            };
            let vote_weight = entity::prelude::MembershipClass::find_by_id(class.as_str())
                .one(&tx)
                .await?
                .map_or(1, |class| class.vote_weight);
            let grant = Grant {
                class,
                holder: current.holder_entity()?,
                disclose: row.disclose,
                vote_weight,
                term: Term::Months(term_months),
            };
            Some(Membership(
                grant_membership(&tx, Actor::Account(me.id), grant).await?,
            ))
        } else {
            None
        };
        tx.commit().await?;
        Ok(ReviewApplicationPayload {
            application: Application(row),
            membership,
        })
    }

    /// Renews a membership for another term, back to `ACTIVE`, lifting a suspension or notice.
    /// For the class's committee. A terminated membership cannot be renewed.
    #[graphql(guard = "SessionGuard")]
    async fn renew_membership(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: MembershipInput,
    ) -> ApiResult<MembershipPayload> {
        let state = ctx.data::<AppState>()?;
        let me = Viewer::of(ctx).require_account()?;
        let current = committee_membership(ctx, &input.membership_id).await?;
        if current.status_now(ctx).await? == MembershipStatus::Terminated {
            return Err(ApiError::conflict(
                "a terminated membership cannot be renewed",
            ));
        }
        let class = MembershipClassKey::parse(&current.0.class_key)
            .ok_or_else(|| ApiError::internal("a membership has an unknown class"))?;
        let tx = begin_write(&state.db).await?;
        let policy = policy::current(&tx).await?;
        let term = match class {
            MembershipClassKey::Contributor => Term::Months(policy.contributor_term_months),
            MembershipClassKey::Mirror => Term::Months(policy.mirror_recheck_months),
            MembershipClassKey::Sponsor => {
                return Err(ApiError::conflict(
                    "a Sponsor membership follows its sponsorship; record a sponsorship to renew it",
                ));
            }
        };
        let grant = Grant {
            class,
            holder: current.holder_entity()?,
            disclose: current.0.disclose,
            vote_weight: current.0.vote_weight,
            term,
        };
        let row = grant_membership(&tx, Actor::Account(me.id), grant).await?;
        tx.commit().await?;
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
        give_notice(ctx, input, notice::SUSPEND).await
    }

    /// Gives notice of termination, effective after the policy's notice period. The member sees
    /// the reason and may answer. For the class's committee.
    #[graphql(guard = "SessionGuard")]
    async fn terminate_membership(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: MembershipNoticeInput,
    ) -> ApiResult<MembershipPayload> {
        give_notice(ctx, input, notice::TERMINATE).await
    }

    /// Withdraws a pending notice before it takes effect. For the class's committee.
    #[graphql(guard = "SessionGuard")]
    async fn withdraw_membership_notice(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: MembershipInput,
    ) -> ApiResult<MembershipPayload> {
        let state = ctx.data::<AppState>()?;
        let me = Viewer::of(ctx).require_account()?;
        let current = committee_membership(ctx, &input.membership_id).await?;
        let today = Utc::now().date_naive();
        let tx = begin_write(&state.db).await?;
        let cleared = Memberships::update_many()
            .col_expr(
                membership::Column::NoticeKind,
                Expr::value(Option::<String>::None),
            )
            .col_expr(
                membership::Column::NoticeReason,
                Expr::value(Option::<String>::None),
            )
            .col_expr(
                membership::Column::NoticeEffectiveOn,
                Expr::value(Option::<chrono::NaiveDate>::None),
            )
            .col_expr(
                membership::Column::NoticeResponse,
                Expr::value(Option::<String>::None),
            )
            .col_expr(membership::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(membership::Column::Id.eq(current.0.id))
            .filter(membership::Column::NoticeKind.is_not_null())
            .filter(membership::Column::NoticeEffectiveOn.gt(today))
            .exec(&tx)
            .await?;
        if cleared.rows_affected == 0 {
            return Err(ApiError::conflict("there is no pending notice to withdraw"));
        }
        let row = audit_membership(
            &tx,
            me.id,
            current.0.id,
            "membership.notice_withdrawn",
            json!({}),
        )
        .await?;
        tx.commit().await?;
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
        let state = ctx.data::<AppState>()?;
        let me = Viewer::of(ctx).require_account()?;
        let id = key_of::<Membership>(&input.membership_id, "input.membershipId")?;
        let current = visible_membership(ctx, id).await?;
        if !current.holder_entity()?.is_viewer(ctx).await? {
            return Err(ApiError::forbidden("only the member can answer a notice"));
        }
        let response = text(&input.response, "input.response", 5000)?;
        let today = Utc::now().date_naive();
        let tx = begin_write(&state.db).await?;
        let answered = Memberships::update_many()
            .col_expr(
                membership::Column::NoticeResponse,
                Expr::value(response.clone()),
            )
            .col_expr(membership::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(membership::Column::Id.eq(id))
            .filter(membership::Column::NoticeKind.is_not_null())
            .filter(membership::Column::NoticeEffectiveOn.gt(today))
            .exec(&tx)
            .await?;
        if answered.rows_affected == 0 {
            return Err(ApiError::conflict("there is no pending notice to answer"));
        }
        let row = audit_membership(
            &tx,
            me.id,
            id,
            "membership.notice_answered",
            json!({ "response": response }),
        )
        .await?;
        tx.commit().await?;
        Ok(MembershipPayload {
            membership: Membership(row),
        })
    }
}

/// Moves a `SUBMITTED` application to `status`. The conditional update decides races: of two
/// concurrent decisions only one finds it still submitted.
async fn decide(
    tx: &DatabaseTransaction,
    id: Uuid,
    status: ApplicationStatus,
    by: Uuid,
    reason: Option<String>,
) -> ApiResult<application::Model> {
    let moved = Applications::update_many()
        .col_expr(application::Column::Status, Expr::value(status.as_str()))
        .col_expr(application::Column::DecidedBy, Expr::value(by))
        .col_expr(application::Column::DecidedAt, Expr::value(Utc::now()))
        .col_expr(application::Column::DecisionReason, Expr::value(reason))
        .filter(application::Column::Id.eq(id))
        .filter(application::Column::Status.eq(ApplicationStatus::Submitted.as_str()))
        .exec(tx)
        .await?;
    if moved.rows_affected == 0 {
        return Err(ApiError::conflict(
            "the application has already been decided or withdrawn",
        ));
    }
    Applications::find_by_id(id)
        .one(tx)
        .await?
        .ok_or_else(|| ApiError::not_found("application"))
}

/// A Mirror membership needs at least one verified mirror among those the application names.
async fn require_verified_mirror(
    tx: &DatabaseTransaction,
    application_id: Uuid,
    recheck_months: i32,
) -> ApiResult<()> {
    let named: Vec<Uuid> = entity::prelude::ApplicationMirror::find()
        .filter(application_mirror::Column::ApplicationId.eq(application_id))
        .all(tx)
        .await?
        .into_iter()
        .map(|link| link.mirror_id)
        .collect();
    let verified = Mirrors::find()
        .filter(entity::mirror::Column::Id.is_in(named))
        .all(tx)
        .await?
        .iter()
        .any(|mirror| effective_status(mirror, recheck_months) == MirrorStatus::Verified);
    if verified {
        Ok(())
    } else {
        Err(ApiError::conflict(
            "a Mirror membership needs at least one verified mirror; verify one first",
        ))
    }
}

/// The application, if it exists and the viewer may see it; `NOT_FOUND` otherwise, so that its
/// existence does not leak.
async fn visible_application(ctx: &Context<'_>, id: Uuid) -> ApiResult<Application> {
    let db = &ctx.data::<AppState>()?.db;
    let row = Applications::find_by_id(id)
        .one(db)
        .await?
        .map(Application)
        .ok_or_else(|| ApiError::not_found("application"))?;
    if row.visible(ctx).await? {
        Ok(row)
    } else {
        Err(ApiError::not_found("application"))
    }
}

/// The membership, if it exists and the viewer may see it.
async fn visible_membership(ctx: &Context<'_>, id: Uuid) -> ApiResult<Membership> {
    let db = &ctx.data::<AppState>()?.db;
    let row = Memberships::find_by_id(id)
        .one(db)
        .await?
        .map(Membership)
        .ok_or_else(|| ApiError::not_found("membership"))?;
    if row.visible(ctx).await? {
        Ok(row)
    } else {
        Err(ApiError::not_found("membership"))
    }
}

/// The membership, after checking that the viewer sits on its class's committee.
async fn committee_membership(ctx: &Context<'_>, id: &ID) -> ApiResult<Membership> {
    let id = key_of::<Membership>(id, "input.membershipId")?;
    let current = visible_membership(ctx, id).await?;
    let class = MembershipClassKey::parse(&current.0.class_key)
        .ok_or_else(|| ApiError::internal("a membership has an unknown class"))?;
    let committee = committee_for(class);
    if !Viewer::of(ctx).has_role(committee) {
        return Err(ApiError::forbidden(format!(
            "{} memberships are managed by {}",
            class.as_str(),
            committee.as_str()
        )));
    }
    Ok(current)
}

async fn give_notice(
    ctx: &Context<'_>,
    input: MembershipNoticeInput,
    kind: &str,
) -> ApiResult<MembershipPayload> {
    let state = ctx.data::<AppState>()?;
    let me = Viewer::of(ctx).require_account()?;
    let current = committee_membership(ctx, &input.membership_id).await?;
    let reason = text(&input.reason, "input.reason", 5000)?;
    let tx = begin_write(&state.db).await?;
    let policy = policy::current(&tx).await?;
    let today = Utc::now().date_naive();
    let effective_on = today
        .checked_add_days(chrono::Days::new(
            u64::try_from(policy.suspension_notice_days.max(0)).unwrap_or(0),
        ))
        .unwrap_or(today);
    let given = Memberships::update_many()
        .col_expr(membership::Column::NoticeKind, Expr::value(kind))
        .col_expr(
            membership::Column::NoticeReason,
            Expr::value(reason.clone()),
        )
        .col_expr(
            membership::Column::NoticeEffectiveOn,
            Expr::value(effective_on),
        )
        .col_expr(
            membership::Column::NoticeResponse,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            membership::Column::StatusReason,
            Expr::value(reason.clone()),
        )
        .col_expr(membership::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(membership::Column::Id.eq(current.0.id))
        .filter(membership::Column::Status.is_in([stored::ACTIVE, stored::GRACE]))
        .filter(membership::Column::NoticeKind.is_null())
        .exec(&tx)
        .await?;
    if given.rows_affected == 0 {
        return Err(ApiError::conflict(
            "the membership already has a notice, or is suspended or terminated",
        ));
    }
    let action = if kind == notice::SUSPEND {
        "membership.suspension_noticed"
    } else {
        "membership.termination_noticed"
    };
    let row = audit_membership(
        &tx,
        me.id,
        current.0.id,
        action,
        json!({ "reason": reason, "effectiveOn": effective_on }),
    )
    .await?;
    tx.commit().await?;
    Ok(MembershipPayload {
        membership: Membership(row),
    })
}

async fn audit_membership(
    tx: &DatabaseTransaction,
    actor: Uuid,
    id: Uuid,
    action: &str,
    summary: serde_json::Value,
) -> ApiResult<membership::Model> {
    audit::record(
        tx,
        Entry {
            actor: Actor::Account(actor),
            action,
            subject_kind: "Membership",
            subject_id: id,
            summary,
        },
    )
    .await?;
    Memberships::find_by_id(id)
        .one(tx)
        .await?
        .ok_or_else(|| ApiError::not_found("membership"))
}
