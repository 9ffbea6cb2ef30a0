//! The mirror aggregate: registering a mirror and recording each check of it.

use crate::audit::{AuditAction, SubjectKind};
use crate::db::Tx;
use chrono::Utc;
use entity::{
    mirror::{self, MirrorStatus},
    mirror_verification::{self, VerificationOutcome},
    prelude::Mirror as Mirrors,
};
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QuerySelect, Set,
    sea_query::Expr,
};
use serde_json::json;
use uuid::Uuid;

use crate::{
    audit::{self, Actor, Entry},
    auth::{Role, Viewer},
    error::{ApiError, ApiResult, corrupt_row, on_unique_violation},
    holders::{Holder, own_case_refusal},
    ids,
    members::{commands::follow::follow_mirror_check, rules::mirror_status_now},
    policy,
};

/// Whether the viewer may check mirrors: the Technology Committee, or an `ADMIN`, who stands in
/// when a committee member cannot check their own mirror. Both see every mirror.
pub fn may_verify(viewer: &Viewer) -> bool {
    viewer.has_role(Role::TechnologyCommittee) || viewer.has_role(Role::Admin)
}

/// Why a committee member may not check a mirror of their own.
const OWN_MIRROR: &str = "You cannot check your own mirror (one you own or registered, or your organization's); another member of the Technology Committee or an administrator must.";

/// A mirror to register, parsed.
pub struct RegisterMirror {
    /// The viewer or an organization they represent.
    pub owner: Holder,
    pub host_name: String,
    pub http_url: String,
    pub rsync_url: Option<String>,
    pub ftp_url: Option<String>,
    pub country: String,
    pub update_frequency_hours: i32,
}

/// One check of a mirror, parsed.
pub struct VerifyMirror {
    pub mirror_id: Uuid,
    pub outcome: VerificationOutcome,
    pub notes: String,
}

/// Registers a mirror. It starts `PENDING` until the Technology Committee checks it; a host
/// name is registered once.
#[tracing::instrument(skip_all, fields(host_name = %input.host_name, owner = %input.owner.key()))]
pub async fn register(tx: &Tx, viewer: &Viewer, input: RegisterMirror) -> ApiResult<mirror::Model> {
    let me = viewer.require_account()?;
    if !input.owner.is_viewer_in(tx, viewer).await? {
        return Err(ApiError::forbidden(
            "only the organization's representatives can act for it",
        ));
    }
    let (owner_account_id, owner_organization_id) = input.owner.columns();
    let row = mirror::ActiveModel {
        id: Set(ids::new_key()),
        host_name: Set(input.host_name),
        http_url: Set(input.http_url),
        rsync_url: Set(input.rsync_url),
        ftp_url: Set(input.ftp_url),
        country: Set(input.country),
        update_frequency_hours: Set(input.update_frequency_hours),
        owner_key: Set(input.owner.key()),
        owner_account_id: Set(owner_account_id),
        owner_organization_id: Set(owner_organization_id),
        status: Set(MirrorStatus::Pending),
        last_verified_at: Set(None),
        registered_by: Set(me.id),
        created_at: Set(Utc::now()),
    }
    .insert(tx)
    .await
    .map_err(|err| {
        on_unique_violation(err, || {
            ApiError::conflict("a mirror with this host name is already registered")
        })
    })?;
    audit::record(
        tx,
        Entry {
            actor: Actor::Account(me.id),
            action: AuditAction::MirrorRegistered,
            subject_kind: SubjectKind::Mirror,
            subject_id: row.id,
            summary: json!({ "hostName": row.host_name, "owner": row.owner_key, "country": row.country }),
        },
    )
    .await?;
    Ok(row)
}

/// Records a check of a mirror, by the Technology Committee or an `ADMIN`. A good check
/// verifies the mirror and renews its owner's Mirror membership; a failed re-check makes a
/// verified mirror `STALE`, and an owner left with no verified mirror goes into grace.
///
/// No one decides their own case: nobody checks a mirror they own, one owned by an organization
/// they represent, or one they registered. Another member of the committee or an `ADMIN` must.
/// Nor does anyone who represented the owning organization when the mirror was registered or
/// within the policy's look-back window ([`Holder::was_own_case_of`]).
#[tracing::instrument(skip_all, fields(mirror_id = %input.mirror_id))]
pub async fn verify(tx: &Tx, viewer: &Viewer, input: VerifyMirror) -> ApiResult<mirror::Model> {
    let me = viewer.require_account()?;
    if !may_verify(viewer) {
        return Err(ApiError::forbidden(
            "Only the Technology Committee or an administrator checks mirrors.",
        ));
    }
    let id = input.mirror_id;
    let now = Utc::now();
    let policy = policy::current(tx).await?;
    let row = Mirrors::find_by_id(id)
        .lock_exclusive()
        .one(tx)
        .await
        .map_err(corrupt_row("mirrors", id))?
        .ok_or_else(|| ApiError::not_found("mirror"))?;
    let owner = Holder::from_columns(row.owner_account_id, row.owner_organization_id)?;
    if row.registered_by == me.id || owner.is_viewer_in(tx, viewer).await? {
        return Err(ApiError::forbidden(OWN_MIRROR));
    }
    let look_back = policy.own_case_look_back_days;
    if owner
        .was_own_case_of(tx, me.id, row.created_at, look_back)
        .await?
    {
        return Err(own_case_refusal(
            look_back,
            "another member of the Technology Committee",
        ));
    }
    let before = mirror_status_now(&row, policy.mirror_recheck_months);
    let after = match input.outcome {
        VerificationOutcome::Verified => MirrorStatus::Verified,
        VerificationOutcome::Rejected
            if matches!(before, MirrorStatus::Verified | MirrorStatus::Stale) =>
        {
            MirrorStatus::Stale
        }
        VerificationOutcome::Rejected => MirrorStatus::Rejected,
    };
    mirror_verification::ActiveModel {
        id: Set(ids::new_key()),
        mirror_id: Set(id),
        checked_by: Set(me.id),
        checked_at: Set(now),
        outcome: Set(input.outcome),
        notes: Set(input.notes.clone()),
    }
    .insert(tx)
    .await?;
    let mut update = Mirrors::update_many()
        .col_expr(mirror::Column::Status, Expr::value(after))
        .filter(mirror::Column::Id.eq(id));
    if input.outcome == VerificationOutcome::Verified {
        update = update.col_expr(mirror::Column::LastVerifiedAt, Expr::value(now));
    }
    update.exec(tx).await?;
    audit::record(
        tx,
        Entry {
            actor: Actor::Account(me.id),
            action: AuditAction::MirrorChecked,
            subject_kind: SubjectKind::Mirror,
            subject_id: id,
            summary: json!({
                "outcome": input.outcome.to_value(),
                "status": after.to_value(),
                "notes": input.notes,
            }),
        },
    )
    .await?;
    follow_mirror_check(tx, me.id, &row, input.outcome, policy.mirror_recheck_months).await?;
    Mirrors::find_by_id(id)
        .one(tx)
        .await
        .map_err(corrupt_row("mirrors", id))?
        .ok_or_else(|| ApiError::not_found("mirror"))
}
