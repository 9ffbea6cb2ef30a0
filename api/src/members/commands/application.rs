//! The application aggregate: applying, withdrawing, and the committee's review.

use crate::audit::{AuditAction, SubjectKind};
use crate::db::Tx;
use std::collections::HashSet;

use chrono::Utc;
use entity::{
    application::{self, ApplicationStatus},
    application_mirror, membership,
    mirror::MirrorStatus,
    prelude::{Application as Applications, Membership as Memberships, Mirror as Mirrors},
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QuerySelect, Set, sea_query::Expr,
};
use serde_json::json;
use uuid::Uuid;

use crate::{
    audit::{self, Actor, Entry},
    auth::Viewer,
    error::{ApiError, ApiResult, corrupt_row, on_unique_violation},
    holders::{Holder, own_case_refusal},
    ids,
    members::{
        classes::{MembershipClassKey, class_title, committee_for, may_review},
        commands::membership::{Grant, Term, grant_membership},
        events,
        rules::mirror_status_now,
        status::{self, MembershipStatus},
    },
    policy,
};

/// An application, parsed.
pub struct Apply {
    /// Contributor or Mirror; Sponsor memberships follow a sponsorship instead.
    pub class: MembershipClassKey,
    /// Who would hold the membership: the viewer or an organization they represent.
    pub holder: Holder,
    pub statement: String,
    /// The mirrors the holder runs, for a Mirror application.
    pub mirror_ids: HashSet<Uuid>,
    pub disclose: bool,
}

/// A committee's decision on an application.
pub struct ReviewApplication {
    pub application_id: Uuid,
    /// Why; an approval may carry a note.
    pub reason: Option<String>,
}

/// A refusal, which always says why.
pub struct RejectApplication {
    pub application_id: Uuid,
    pub reason: String,
}

/// The application decided, and the membership an approval created or renewed.
pub struct Reviewed {
    pub application: application::Model,
    pub membership: Option<membership::Model>,
}

/// Submits an application. One open application per entity and class: the database's partial
/// unique index decides a race, as `CONFLICT`.
#[tracing::instrument(skip_all, fields(class = input.class.as_str(), holder = %input.holder.key()))]
pub async fn apply(tx: &Tx, viewer: &Viewer, input: Apply) -> ApiResult<application::Model> {
    let me = viewer.require_account()?;
    if !input.holder.is_viewer_in(tx, viewer).await? {
        return Err(ApiError::forbidden(
            "only the organization's representatives can act for it",
        ));
    }
    match input.class {
        MembershipClassKey::Sponsor => {
            return Err(ApiError::bad_input(
                crate::field!(input.class),
                "Sponsor memberships follow an active sponsorship; they are not applied for",
            ));
        }
        MembershipClassKey::Contributor if matches!(input.holder, Holder::Organization(_)) => {
            return Err(ApiError::bad_input(
                crate::field!(input.organization_id),
                "Contributor membership is for individuals only",
            ));
        }
        MembershipClassKey::Mirror if input.mirror_ids.is_empty() => {
            return Err(ApiError::bad_input(
                crate::field!(input.mirror_ids),
                "a Mirror application names the applicant's mirrors",
            ));
        }
        MembershipClassKey::Contributor if !input.mirror_ids.is_empty() => {
            return Err(ApiError::bad_input(
                crate::field!(input.mirror_ids),
                "only a Mirror application names mirrors",
            ));
        }
        MembershipClassKey::Contributor | MembershipClassKey::Mirror => {}
    }
    refuse_a_running_membership(tx, input.class, input.holder).await?;
    let owned = Mirrors::find()
        .filter(entity::mirror::Column::Id.is_in(input.mirror_ids.iter().copied()))
        .filter(entity::mirror::Column::OwnerKey.eq(input.holder.key()))
        .all(tx)
        .await?;
    if owned.len() != input.mirror_ids.len() {
        return Err(ApiError::bad_input(
            crate::field!(input.mirror_ids),
            "every mirror must exist and belong to the applicant",
        ));
    }
    let (holder_account_id, holder_organization_id) = input.holder.columns();
    let row = application::ActiveModel {
        id: Set(ids::new_key()),
        class_key: Set(input.class),
        applicant_id: Set(me.id),
        holder_key: Set(input.holder.key()),
        holder_account_id: Set(holder_account_id),
        holder_organization_id: Set(holder_organization_id),
        statement: Set(input.statement),
        disclose: Set(input.disclose),
        status: Set(ApplicationStatus::Submitted),
        decision_reason: Set(None),
        decided_by: Set(None),
        submitted_at: Set(Utc::now()),
        decided_at: Set(None),
    }
    .insert(tx)
    .await
    .map_err(|err| {
        on_unique_violation(err, || {
            ApiError::conflict("an application for this class is already waiting for review")
        })
    })?;
    for mirror_id in &input.mirror_ids {
        application_mirror::ActiveModel {
            application_id: Set(row.id),
            mirror_id: Set(*mirror_id),
        }
        .insert(tx)
        .await?;
    }
    audit::record(
        tx,
        Entry {
            actor: Actor::Account(me.id),
            action: AuditAction::ApplicationSubmitted,
            subject_kind: SubjectKind::Application,
            subject_id: row.id,
            summary: json!({
                "class": row.class_key.as_str(),
                "holder": row.holder_key,
                "disclose": row.disclose,
                "mirrors": input.mirror_ids,
            }),
        },
    )
    .await?;
    Ok(row)
}

/// An entity that already holds an `ACTIVE` or `GRACE` membership of the class is told to renew
/// it instead: an application would only reach the committee to be approved as a renewal of
/// the same membership. The row is read, not locked: `approve` locks the application and then
/// the membership, and locking them here in the other order could deadlock. An approval racing
/// this one can let an application through, which its review then treats as a renewal.
async fn refuse_a_running_membership(
    tx: &Tx,
    class: MembershipClassKey,
    holder: Holder,
) -> ApiResult<()> {
    let Some(current) = Memberships::find()
        .filter(membership::Column::ClassKey.eq(class))
        .filter(membership::Column::HolderKey.eq(holder.key()))
        .one(tx)
        .await?
    else {
        return Ok(());
    };
    let grace_days = policy::current(tx).await?.grace_period_days;
    let status = status::effective(&current, Utc::now().date_naive(), grace_days);
    let held = match status {
        MembershipStatus::Active => format!("an active {} membership", class_title(class)),
        MembershipStatus::Grace => {
            format!("a {} membership in its grace period", class_title(class))
        }
        MembershipStatus::Expired | MembershipStatus::Suspended | MembershipStatus::Terminated => {
            return Ok(());
        }
    };
    let who = match holder {
        Holder::Account(_) => "you already hold",
        Holder::Organization(_) => "this organization already holds",
    };
    Err(ApiError::conflict(format!(
        "{who} {held}; ask the committee to renew it instead."
    )))
}

/// Withdraws an application that is still waiting. Only the applicant (or a representative of
/// the organization applying) may.
#[tracing::instrument(skip_all, fields(application_id = %application_id))]
pub async fn withdraw(
    tx: &Tx,
    viewer: &Viewer,
    application_id: Uuid,
) -> ApiResult<application::Model> {
    let me = viewer.require_account()?;
    let current = locked(tx, application_id).await?;
    let mine =
        current.applicant_id == me.id || holder_of(&current)?.is_viewer_in(tx, viewer).await?;
    if !mine {
        if !may_review(viewer, current.class_key) {
            return Err(ApiError::not_found("application"));
        }
        return Err(ApiError::forbidden(
            "only the applicant can withdraw an application",
        ));
    }
    let row = decide(
        tx,
        application_id,
        ApplicationStatus::Withdrawn,
        me.id,
        None,
    )
    .await?;
    audit::record(
        tx,
        Entry {
            actor: Actor::Account(me.id),
            action: AuditAction::ApplicationWithdrawn,
            subject_kind: SubjectKind::Application,
            subject_id: application_id,
            summary: json!({ "class": row.class_key.as_str() }),
        },
    )
    .await?;
    Ok(row)
}

/// Approves an application and creates or renews the membership. For the class's committee; a
/// Mirror membership needs a verified mirror among those named. Of two reviewers deciding at
/// once, one wins and the other gets `CONFLICT`.
#[tracing::instrument(skip_all, fields(application_id = %input.application_id))]
pub async fn approve(tx: &Tx, viewer: &Viewer, input: ReviewApplication) -> ApiResult<Reviewed> {
    let me = viewer.require_account()?;
    let id = input.application_id;
    let current = reviewable(tx, viewer, id).await?;
    let class = current.class_key;
    let policy = policy::current(tx).await?;
    let row = decide(
        tx,
        id,
        ApplicationStatus::Approved,
        me.id,
        input.reason.clone(),
    )
    .await?;
    audit_decision(
        tx,
        me.id,
        &row,
        AuditAction::ApplicationApproved,
        input.reason,
    )
    .await?;
    let term_months = match class {
        MembershipClassKey::Mirror => {
            require_verified_mirror(tx, id, policy.mirror_recheck_months).await?;
            policy.mirror_recheck_months
        }
        MembershipClassKey::Contributor | MembershipClassKey::Sponsor => {
            policy.contributor_term_months
        }
    };
    let vote_weight = entity::prelude::MembershipClass::find_by_id(class)
        .one(tx)
        .await?
        .map_or(1, |class| class.vote_weight);
    let grant = Grant {
        class,
        holder: holder_of(&current)?,
        disclose: row.disclose,
        vote_weight,
        term: Term::Months(term_months),
    };
    let membership = grant_membership(tx, Actor::Account(me.id), grant).await?;
    events::approved(tx, &membership).await?;
    events::decided(tx, &row, true).await?;
    Ok(Reviewed {
        application: row,
        membership: Some(membership),
    })
}

/// Rejects an application, with a reason the applicant sees. For the class's committee.
#[tracing::instrument(skip_all, fields(application_id = %input.application_id))]
pub async fn reject(tx: &Tx, viewer: &Viewer, input: RejectApplication) -> ApiResult<Reviewed> {
    let me = viewer.require_account()?;
    let id = input.application_id;
    reviewable(tx, viewer, id).await?;
    let reason = Some(input.reason);
    let row = decide(tx, id, ApplicationStatus::Rejected, me.id, reason.clone()).await?;
    audit_decision(tx, me.id, &row, AuditAction::ApplicationRejected, reason).await?;
    events::decided(tx, &row, false).await?;
    Ok(Reviewed {
        application: row,
        membership: None,
    })
}

/// The application, locked until the transaction ends.
async fn locked(tx: &Tx, id: Uuid) -> ApiResult<application::Model> {
    Applications::find_by_id(id)
        .lock_exclusive()
        .one(tx)
        .await
        .map_err(corrupt_row("applications", id))?
        .ok_or_else(|| ApiError::not_found("application"))
}

fn holder_of(row: &application::Model) -> ApiResult<Holder> {
    Holder::from_columns(row.holder_account_id, row.holder_organization_id)
}

/// The application, locked, once the viewer may see it (`NOT_FOUND` otherwise, so that its
/// existence does not leak), may review its class (its committee or an `ADMIN`; `FORBIDDEN`
/// otherwise) and is not deciding their own case.
///
/// No one decides their own case: neither the applicant nor anyone the membership would belong
/// to (the person, or a representative of the organization) reviews it, nor anyone who
/// represented the organization when the application was made or within the policy's look-back
/// window. Another member of the committee or an `ADMIN` must.
async fn reviewable(tx: &Tx, viewer: &Viewer, id: Uuid) -> ApiResult<application::Model> {
    let current = locked(tx, id).await?;
    let class = current.class_key;
    let reviewer = may_review(viewer, class);
    let own = viewer.account_id() == Some(current.applicant_id)
        || holder_of(&current)?.is_viewer_in(tx, viewer).await?;
    if !reviewer && !own {
        return Err(ApiError::not_found("application"));
    }
    let committee = committee_for(class);
    if !reviewer {
        return Err(ApiError::forbidden(format!(
            "Applications for {} membership are reviewed by {}.",
            class_title(class),
            committee.title()
        )));
    }
    if own {
        return Err(ApiError::forbidden(format!(
            "You cannot review your own application, nor your organization's; another member of {} or an administrator must.",
            committee.title()
        )));
    }
    let look_back = policy::current(tx).await?.own_case_look_back_days;
    if let Some(me) = viewer.account_id()
        && holder_of(&current)?
            .was_own_case_of(tx, me, current.submitted_at, look_back)
            .await?
    {
        return Err(own_case_refusal(
            look_back,
            &format!("another member of {}", committee.title()),
        ));
    }
    Ok(current)
}

/// Moves a `SUBMITTED` application to `status`. The conditional update decides races: of two
/// concurrent decisions only one finds it still submitted.
async fn decide(
    tx: &Tx,
    id: Uuid,
    status: ApplicationStatus,
    by: Uuid,
    reason: Option<String>,
) -> ApiResult<application::Model> {
    let moved = Applications::update_many()
        .col_expr(application::Column::Status, Expr::value(status))
        .col_expr(application::Column::DecidedBy, Expr::value(by))
        .col_expr(application::Column::DecidedAt, Expr::value(Utc::now()))
        .col_expr(application::Column::DecisionReason, Expr::value(reason))
        .filter(application::Column::Id.eq(id))
        .filter(application::Column::Status.eq(ApplicationStatus::Submitted))
        .exec(tx)
        .await?;
    if moved.rows_affected == 0 {
        return Err(ApiError::conflict(
            "the application has already been decided or withdrawn",
        ));
    }
    Applications::find_by_id(id)
        .one(tx)
        .await
        .map_err(corrupt_row("applications", id))?
        .ok_or_else(|| ApiError::not_found("application"))
}

async fn audit_decision(
    tx: &Tx,
    actor: Uuid,
    row: &application::Model,
    action: AuditAction,
    reason: Option<String>,
) -> ApiResult<()> {
    audit::record(
        tx,
        Entry {
            actor: Actor::Account(actor),
            action,
            subject_kind: SubjectKind::Application,
            subject_id: row.id,
            summary: json!({ "class": row.class_key.as_str(), "holder": row.holder_key, "reason": reason }),
        },
    )
    .await
}

/// A Mirror membership needs at least one verified mirror among those the application names.
async fn require_verified_mirror(
    tx: &Tx,
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
        .any(|mirror| mirror_status_now(mirror, recheck_months) == MirrorStatus::Verified);
    if verified {
        Ok(())
    } else {
        Err(ApiError::conflict(
            "a Mirror membership needs at least one verified mirror; verify one first",
        ))
    }
}
