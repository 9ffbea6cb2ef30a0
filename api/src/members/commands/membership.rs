//! The membership aggregate: granting, renewing, notices and the member's answer.

use crate::audit::{AuditAction, SubjectKind};
use crate::db::Tx;
use chrono::{DateTime, Days, NaiveDate, Utc};
use entity::{
    membership::{self, MembershipState, NoticeKind},
    mirror::{self, MirrorStatus},
    prelude::{Membership as Memberships, Mirror as Mirrors},
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QuerySelect, Set,
    sea_query::Expr,
};
use serde_json::json;
use uuid::Uuid;

use crate::{
    audit::{self, Actor, Entry},
    auth::{Role, Viewer},
    error::{ApiError, ApiResult, corrupt_row, on_unique_violation},
    holders::{Holder, is_committee, own_case_refusal},
    ids,
    members::{
        classes::{MembershipClassKey, committee_for},
        rules::{mirror_status_now, months_from},
        status::{self, MembershipStatus},
    },
    policy,
};

/// What a new or renewed membership looks like.
pub struct Grant {
    pub class: MembershipClassKey,
    pub holder: Holder,
    pub disclose: bool,
    pub vote_weight: i32,
    /// How long the new term runs.
    pub term: Term,
}

/// The length of a membership's term.
#[derive(Clone, Copy, Debug)]
pub enum Term {
    /// This many months, added to the current end when that is still ahead, so that early
    /// renewal loses nothing.
    Months(i32),
    /// Until this day exactly: a Sponsor membership ends with its sponsorship.
    Until(NaiveDate),
}

/// A suspension or termination notice, parsed.
pub struct GiveNotice {
    pub membership_id: Uuid,
    pub kind: NoticeKind,
    /// Why; the member sees it and may answer.
    pub reason: String,
}

/// The member's answer to a notice, parsed.
pub struct RespondToNotice {
    pub membership_id: Uuid,
    pub response: String,
}

/// Creates the holder's membership of the class, or renews the one it has: back to `ACTIVE`,
/// notices cleared, the term extended. One membership per entity per class, whatever happens.
#[tracing::instrument(skip_all, fields(class = grant.class.as_str(), holder = %grant.holder.key()))]
pub async fn grant_membership(tx: &Tx, actor: Actor, grant: Grant) -> ApiResult<membership::Model> {
    let now = Utc::now();
    let existing = Memberships::find()
        .filter(membership::Column::ClassKey.eq(grant.class))
        .filter(membership::Column::HolderKey.eq(grant.holder.key()))
        .lock_exclusive()
        .one(tx)
        .await?;
    let today = now.date_naive();
    let ends_on = |current_end: Option<NaiveDate>| match grant.term {
        Term::Months(months) => {
            let base = current_end.map_or(today, |end| end.max(today));
            Some(months_from(base, months))
        }
        Term::Until(day) => Some(day),
    };
    if let Some(current) = &existing
        && status::effective(current, today, 0) == MembershipStatus::Terminated
    {
        return Err(ApiError::conflict(
            "this membership was terminated; it cannot be renewed or approved again",
        ));
    }
    let (row, action) = match existing {
        Some(current) => {
            let ends_on = ends_on(current.ends_on);
            let mut active = current.into_active_model();
            active.status = Set(MembershipState::Active);
            active.ends_on = Set(ends_on);
            active.grace_from = Set(None);
            active.notice_kind = Set(None);
            active.notice_reason = Set(None);
            active.notice_effective_on = Set(None);
            active.notice_response = Set(None);
            active.status_reason = Set(None);
            active.vote_weight = Set(grant.vote_weight);
            active.disclose = Set(grant.disclose);
            active.updated_at = Set(now);
            (active.update(tx).await?, AuditAction::MembershipRenewed)
        }
        None => {
            let row = new_membership(&grant, now)
                .into_active_model()
                .reset_all()
                .insert(tx)
                .await
                .map_err(|err| {
                    on_unique_violation(err, || {
                        ApiError::conflict("this entity already holds a membership of this class")
                    })
                })?;
            (row, AuditAction::MembershipCreated)
        }
    };
    audit::record(tx, granted(actor, action, &row)).await?;
    Ok(row)
}

/// Creates the memberships of holders that hold none of their class yet, a thousand a
/// statement, each audited as [`grant_membership`] audits one. For the sponsorship catch-up,
/// which has locked the holders and read that they hold none; a membership created meanwhile
/// all the same is a `CONFLICT`, and nothing is written.
pub async fn create_memberships(
    tx: &Tx,
    actor: Actor,
    grants: &[Grant],
) -> ApiResult<Vec<membership::Model>> {
    let rows = insert_new(tx, grants).await?;
    for row in &rows {
        audit::record(tx, granted(actor, AuditAction::MembershipCreated, row)).await?;
    }
    Ok(rows)
}

/// Writes memberships in bulk with no audit entry, as an import from another system would:
/// for `quorum bench-data`, which fills a database with members to time the commands on them.
/// Each holder must hold none of its class yet (`CONFLICT` otherwise, and nothing is written).
pub async fn import_memberships(tx: &Tx, grants: &[Grant]) -> ApiResult<usize> {
    Ok(insert_new(tx, grants).await?.len())
}

/// Inserts a new membership per grant, a thousand a statement.
async fn insert_new(tx: &Tx, grants: &[Grant]) -> ApiResult<Vec<membership::Model>> {
    let now = Utc::now();
    let rows: Vec<membership::Model> = grants.iter().map(|g| new_membership(g, now)).collect();
    for chunk in rows.chunks(CREATE_CHUNK) {
        Memberships::insert_many(
            chunk
                .iter()
                .map(|row| row.clone().into_active_model().reset_all()),
        )
        .exec_without_returning(tx)
        .await
        .map_err(|err| {
            on_unique_violation(err, || {
                ApiError::conflict("an entity already holds a membership of this class")
            })
        })?;
    }
    Ok(rows)
}

/// Moves the start of the holders' memberships back to `since`, with no audit entry: for the
/// demo data, which tells a history of months in one run (nominees must have been members for
/// a while).
pub async fn backdate_since(tx: &Tx, holders: &[Holder], since: NaiveDate) -> ApiResult<()> {
    Memberships::update_many()
        .col_expr(membership::Column::Since, Expr::value(since))
        .filter(membership::Column::HolderKey.is_in(holders.iter().map(|holder| holder.key())))
        .exec(tx)
        .await?;
    Ok(())
}

/// Memberships written per statement: 19 parameters each, under SQLite's 32,766.
const CREATE_CHUNK: usize = 1_000;

/// A holder's first membership of a class, active from today.
fn new_membership(grant: &Grant, now: DateTime<Utc>) -> membership::Model {
    let today = now.date_naive();
    let (holder_account_id, holder_organization_id) = grant.holder.columns();
    membership::Model {
        id: ids::new_key(),
        class_key: grant.class,
        holder_key: grant.holder.key(),
        holder_account_id,
        holder_organization_id,
        status: MembershipState::Active,
        since: today,
        ends_on: match grant.term {
            Term::Months(months) => Some(months_from(today, months)),
            Term::Until(day) => Some(day),
        },
        grace_from: None,
        vote_weight: grant.vote_weight,
        disclose: grant.disclose,
        notice_kind: None,
        notice_reason: None,
        notice_effective_on: None,
        notice_response: None,
        status_reason: None,
        created_at: now,
        updated_at: now,
    }
}

/// The audit entry of a membership granted or renewed.
fn granted(actor: Actor, action: AuditAction, row: &membership::Model) -> Entry {
    Entry {
        actor,
        action,
        subject_kind: SubjectKind::Membership,
        subject_id: row.id,
        summary: json!({
            "class": row.class_key.as_str(),
            "holder": row.holder_key,
            "endsOn": row.ends_on,
            "voteWeight": row.vote_weight,
            "disclose": row.disclose,
        }),
    }
}

/// Renews a membership for another term, back to `ACTIVE`, lifting a suspension or notice.
/// For the class's committee, or an `ADMIN`; no one renews their own membership or their
/// organization's. A terminated membership cannot be renewed, a Sponsor membership follows its
/// sponsorship instead, and a Mirror membership needs one of the holder's mirrors verified and
/// not overdue for its re-check.
#[tracing::instrument(skip_all, fields(membership_id = %membership_id))]
pub async fn renew(tx: &Tx, viewer: &Viewer, membership_id: Uuid) -> ApiResult<membership::Model> {
    let me = viewer.require_account()?;
    let current = renewable(tx, viewer, membership_id).await?;
    let policy = policy::current(tx).await?;
    let today = Utc::now().date_naive();
    if status::effective(&current, today, policy.grace_period_days) == MembershipStatus::Terminated
    {
        return Err(ApiError::conflict(
            "a terminated membership cannot be renewed",
        ));
    }
    let holder = holder_of(&current)?;
    let term = match current.class_key {
        MembershipClassKey::Contributor => Term::Months(policy.contributor_term_months),
        MembershipClassKey::Mirror => {
            require_a_verified_mirror(tx, holder, policy.mirror_recheck_months).await?;
            Term::Months(policy.mirror_recheck_months)
        }
        MembershipClassKey::Sponsor => {
            return Err(ApiError::conflict(
                "a Sponsor membership follows its sponsorship; record a sponsorship to renew it",
            ));
        }
    };
    let grant = Grant {
        class: current.class_key,
        holder,
        disclose: current.disclose,
        vote_weight: current.vote_weight,
        term,
    };
    grant_membership(tx, Actor::Account(me.id), grant).await
}

/// A Mirror membership stays active while one of its mirrors is verified, so a renewal needs
/// one whose status now (re-check not overdue) is `VERIFIED`. The mirrors are read, not locked:
/// `verifyMirror` locks the mirror and then the membership, and the other order could deadlock.
/// A failed re-check committed just after still puts the membership into grace.
async fn require_a_verified_mirror(tx: &Tx, holder: Holder, recheck_months: i32) -> ApiResult<()> {
    let verified = Mirrors::find()
        .filter(mirror::Column::OwnerKey.eq(holder.key()))
        .all(tx)
        .await?
        .iter()
        .any(|row| mirror_status_now(row, recheck_months) == MirrorStatus::Verified);
    if verified {
        Ok(())
    } else {
        Err(ApiError::conflict(
            "a Mirror membership is renewed only while one of the holder's mirrors is verified; have a mirror checked first",
        ))
    }
}

/// The membership, locked, once the viewer may renew it: its class's committee or an `ADMIN`,
/// and not the member itself (or a representative of the organization holding it, now or
/// within the policy's look-back window), since no one decides their own case.
async fn renewable(tx: &Tx, viewer: &Viewer, id: Uuid) -> ApiResult<membership::Model> {
    let current = locked(tx, id).await?;
    let class = current.class_key;
    let committee = committee_for(class);
    let own = holder_of(&current)?.is_viewer_in(tx, viewer).await?;
    let renewer = viewer.has_role(committee) || viewer.has_role(Role::Admin);
    if !(current.disclose || own || renewer || is_committee(viewer)) {
        return Err(ApiError::not_found("membership"));
    }
    if !renewer {
        return Err(ApiError::forbidden(format!(
            "{} memberships are managed by {}.",
            crate::members::classes::class_title(class),
            committee.title()
        )));
    }
    if own {
        return Err(ApiError::forbidden(format!(
            "You cannot renew your own membership, nor your organization's; another member of {} or an administrator must.",
            committee.title()
        )));
    }
    let look_back = policy::current(tx).await?.own_case_look_back_days;
    if let Some(me) = viewer.account_id()
        && holder_of(&current)?
            .was_own_case_of(tx, me, Utc::now(), look_back)
            .await?
    {
        return Err(own_case_refusal(
            look_back,
            &format!("another member of {}", committee.title()),
        ));
    }
    Ok(current)
}

/// Gives notice of suspension or termination, effective after the policy's notice period. For
/// the class's committee, on a running membership with no notice yet.
#[tracing::instrument(skip_all, fields(membership_id = %input.membership_id))]
pub async fn give_notice(
    tx: &Tx,
    viewer: &Viewer,
    input: GiveNotice,
) -> ApiResult<membership::Model> {
    let me = viewer.require_account()?;
    let id = input.membership_id;
    managed(tx, viewer, id).await?;
    let policy = policy::current(tx).await?;
    let today = Utc::now().date_naive();
    let effective_on = today
        .checked_add_days(Days::new(
            u64::try_from(policy.suspension_notice_days.max(0)).unwrap_or(0),
        ))
        .unwrap_or(today);
    let given = Memberships::update_many()
        .col_expr(membership::Column::NoticeKind, Expr::value(input.kind))
        .col_expr(
            membership::Column::NoticeReason,
            Expr::value(input.reason.clone()),
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
            Expr::value(input.reason.clone()),
        )
        .col_expr(membership::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(membership::Column::Id.eq(id))
        .filter(membership::Column::Status.is_in([MembershipState::Active, MembershipState::Grace]))
        .filter(membership::Column::NoticeKind.is_null())
        .exec(tx)
        .await?;
    if given.rows_affected == 0 {
        return Err(ApiError::conflict(
            "the membership already has a notice, or is suspended or terminated",
        ));
    }
    let action = match input.kind {
        NoticeKind::Suspend => AuditAction::MembershipSuspensionNoticed,
        NoticeKind::Terminate => AuditAction::MembershipTerminationNoticed,
    };
    let summary = json!({ "reason": input.reason, "effectiveOn": effective_on });
    audited(tx, me.id, id, action, summary).await
}

/// Withdraws a pending notice before it takes effect. For the class's committee.
#[tracing::instrument(skip_all, fields(membership_id = %membership_id))]
pub async fn withdraw_notice(
    tx: &Tx,
    viewer: &Viewer,
    membership_id: Uuid,
) -> ApiResult<membership::Model> {
    let me = viewer.require_account()?;
    managed(tx, viewer, membership_id).await?;
    let today = Utc::now().date_naive();
    let cleared = Memberships::update_many()
        .col_expr(
            membership::Column::NoticeKind,
            Expr::value(Option::<NoticeKind>::None),
        )
        .col_expr(
            membership::Column::NoticeReason,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            membership::Column::NoticeEffectiveOn,
            Expr::value(Option::<NaiveDate>::None),
        )
        .col_expr(
            membership::Column::NoticeResponse,
            Expr::value(Option::<String>::None),
        )
        .col_expr(membership::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(membership::Column::Id.eq(membership_id))
        .filter(membership::Column::NoticeKind.is_not_null())
        .filter(membership::Column::NoticeEffectiveOn.gt(today))
        .exec(tx)
        .await?;
    if cleared.rows_affected == 0 {
        return Err(ApiError::conflict("there is no pending notice to withdraw"));
    }
    audited(
        tx,
        me.id,
        membership_id,
        AuditAction::MembershipNoticeWithdrawn,
        json!({}),
    )
    .await
}

/// Answers a pending notice: the member's chance to be heard. For the member (or a
/// representative of the organization holding it), before the notice takes effect.
#[tracing::instrument(skip_all, fields(membership_id = %input.membership_id))]
pub async fn respond_to_notice(
    tx: &Tx,
    viewer: &Viewer,
    input: RespondToNotice,
) -> ApiResult<membership::Model> {
    let me = viewer.require_account()?;
    let id = input.membership_id;
    let current = visible(tx, viewer, id).await?;
    if !holder_of(&current)?.is_viewer_in(tx, viewer).await? {
        return Err(ApiError::forbidden("only the member can answer a notice"));
    }
    let today = Utc::now().date_naive();
    let answered = Memberships::update_many()
        .col_expr(
            membership::Column::NoticeResponse,
            Expr::value(input.response.clone()),
        )
        .col_expr(membership::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(membership::Column::Id.eq(id))
        .filter(membership::Column::NoticeKind.is_not_null())
        .filter(membership::Column::NoticeEffectiveOn.gt(today))
        .exec(tx)
        .await?;
    if answered.rows_affected == 0 {
        return Err(ApiError::conflict("there is no pending notice to answer"));
    }
    let summary = json!({ "response": input.response });
    audited(
        tx,
        me.id,
        id,
        AuditAction::MembershipNoticeAnswered,
        summary,
    )
    .await
}

fn holder_of(row: &membership::Model) -> ApiResult<Holder> {
    Holder::from_columns(row.holder_account_id, row.holder_organization_id)
}

/// The membership, locked until the transaction ends.
async fn locked(tx: &Tx, id: Uuid) -> ApiResult<membership::Model> {
    Memberships::find_by_id(id)
        .lock_exclusive()
        .one(tx)
        .await
        .map_err(corrupt_row("memberships", id))?
        .ok_or_else(|| ApiError::not_found("membership"))
}

/// The membership, locked until the transaction ends, if the viewer may see it: disclosed ones
/// are public, the others are for the committees and the member. `NOT_FOUND` otherwise.
async fn visible(tx: &Tx, viewer: &Viewer, id: Uuid) -> ApiResult<membership::Model> {
    let row = locked(tx, id).await?;
    if row.disclose || is_committee(viewer) || holder_of(&row)?.is_viewer_in(tx, viewer).await? {
        Ok(row)
    } else {
        Err(ApiError::not_found("membership"))
    }
}

/// The membership, locked, once the viewer is seen to sit on its class's committee.
async fn managed(tx: &Tx, viewer: &Viewer, id: Uuid) -> ApiResult<membership::Model> {
    let current = visible(tx, viewer, id).await?;
    let class = current.class_key;
    let committee = committee_for(class);
    if !viewer.has_role(committee) {
        return Err(ApiError::forbidden(format!(
            "{} memberships are managed by {}.",
            crate::members::classes::class_title(class),
            committee.title()
        )));
    }
    Ok(current)
}

/// Records the change in the audit log and reads the membership back.
async fn audited(
    tx: &Tx,
    actor: Uuid,
    id: Uuid,
    action: AuditAction,
    summary: serde_json::Value,
) -> ApiResult<membership::Model> {
    audit::record(
        tx,
        Entry {
            actor: Actor::Account(actor),
            action,
            subject_kind: SubjectKind::Membership,
            subject_id: id,
            summary,
        },
    )
    .await?;
    Memberships::find_by_id(id)
        .one(tx)
        .await
        .map_err(corrupt_row("memberships", id))?
        .ok_or_else(|| ApiError::not_found("membership"))
}
