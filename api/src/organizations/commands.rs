//! The organization aggregate's changes of state: creating one and managing its representatives.

use crate::audit::{AuditAction, SubjectKind};
use crate::db::Tx;
use chrono::Utc;
use entity::{
    organization, organization_representative,
    prelude::{
        Organization as Organizations, OrganizationRepresentative,
        RepresentativeInvitation as RepresentativeInvitations,
    },
    representative_invitation::{self, InvitationStatus},
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set,
    sea_query::Expr,
};
use serde_json::json;
use uuid::Uuid;

use crate::{
    accounts::db::find_account,
    audit::{self, Actor, Entry},
    auth::{Role, Viewer},
    error::{ApiError, ApiResult, corrupt_row, on_unique_violation},
    ids,
    organizations::history,
};

/// What `create` needs, already parsed.
pub struct NewOrganization {
    pub name: String,
    pub website_url: Option<String>,
    pub logo_url: Option<String>,
}

/// Creates an organization; the creator becomes its first representative. Audited.
#[tracing::instrument(skip_all)]
pub async fn create(
    tx: &Tx,
    viewer: &Viewer,
    input: NewOrganization,
) -> ApiResult<organization::Model> {
    let me = viewer.require_account()?;
    let now = Utc::now();
    let organization = organization::ActiveModel {
        id: Set(ids::new_key()),
        name: Set(input.name),
        website_url: Set(input.website_url),
        logo_url: Set(input.logo_url),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(tx)
    .await?;
    add_link(tx, organization.id, me.id).await?;
    audit::record(
        tx,
        Entry {
            actor: Actor::Account(me.id),
            action: AuditAction::OrganizationCreated,
            subject_kind: SubjectKind::Organization,
            subject_id: organization.id,
            summary: json!({
                "name": organization.name,
                "websiteUrl": organization.website_url,
                "logoUrl": organization.logo_url,
                "representative": me.id,
            }),
        },
    )
    .await?;
    Ok(organization)
}

/// What `update` changes: `None` keeps a field; `Some(None)` clears a URL.
pub struct OrganizationChange {
    pub name: Option<String>,
    pub website_url: Option<Option<String>>,
    pub logo_url: Option<Option<String>>,
}

/// Changes an organization's name, website or logo. For its representatives and administrators;
/// audited with the fields that changed.
#[tracing::instrument(skip_all, fields(organization = %organization_id))]
pub async fn update(
    tx: &Tx,
    viewer: &Viewer,
    organization_id: Uuid,
    change: OrganizationChange,
) -> ApiResult<organization::Model> {
    let organization = lock_for_representative(tx, viewer, organization_id).await?;
    let mut row: organization::ActiveModel = organization.into();
    let mut changed = serde_json::Map::new();
    if let Some(name) = change.name {
        changed.insert("name".to_owned(), json!(name));
        row.name = Set(name);
    }
    if let Some(website_url) = change.website_url {
        changed.insert("websiteUrl".to_owned(), json!(website_url));
        row.website_url = Set(website_url);
    }
    if let Some(logo_url) = change.logo_url {
        changed.insert("logoUrl".to_owned(), json!(logo_url));
        row.logo_url = Set(logo_url);
    }
    row.updated_at = Set(Utc::now());
    let organization = row.update(tx).await?;
    audit::record(
        tx,
        Entry {
            actor: Actor::of(viewer),
            action: AuditAction::OrganizationUpdated,
            subject_kind: SubjectKind::Organization,
            subject_id: organization_id,
            summary: serde_json::Value::Object(changed),
        },
    )
    .await?;
    Ok(organization)
}

/// Invites an account to represent an organization. For the organization's representatives
/// and administrators. The invitation changes nothing until the invited person accepts it
/// ([`respond_to_invitation`]): nobody is made to act for an organization without consent.
/// Audited, and the invited person is told by mail.
#[tracing::instrument(skip_all, fields(organization = %organization_id, account = %account_id))]
pub async fn invite_representative(
    tx: &Tx,
    viewer: &Viewer,
    organization_id: Uuid,
    account_id: Uuid,
) -> ApiResult<(organization::Model, representative_invitation::Model)> {
    let organization = lock_for_representative(tx, viewer, organization_id).await?;
    let invited = find_account(tx, account_id).await?;
    if is_representative(tx, organization_id, account_id).await? {
        return Err(ApiError::conflict(
            "the account already represents this organization",
        ));
    }
    let now = Utc::now();
    let invitation = representative_invitation::ActiveModel {
        id: Set(ids::new_key()),
        organization_id: Set(organization_id),
        account_id: Set(account_id),
        invited_by: Set(viewer.account_id()),
        status: Set(InvitationStatus::Pending),
        created_at: Set(now),
        responded_at: Set(None),
    }
    .insert(tx)
    .await
    .map_err(|err| {
        on_unique_violation(err, || {
            ApiError::conflict(
                "the account is already invited to represent this organization and has not \
                 answered yet",
            )
        })
    })?;
    audit::record(
        tx,
        Entry {
            actor: Actor::of(viewer),
            action: AuditAction::OrganizationRepresentativeInvited,
            subject_kind: SubjectKind::Organization,
            subject_id: organization_id,
            summary: json!({ "account": account_id, "invitation": invitation.id }),
        },
    )
    .await?;
    let inviter = match viewer.account_id() {
        Some(id) => find_account(tx, id).await?.display_name,
        None => "The foundation".to_owned(),
    };
    crate::notifications::mail::representative_invited(
        tx,
        invited.id,
        &organization.name,
        &inviter,
    )
    .await?;
    Ok((organization, invitation))
}

/// The invited person accepts or declines an invitation. Accepting makes them a
/// representative from now on. Only the invited person may answer; to anyone else the
/// invitation does not exist. Audited.
#[tracing::instrument(skip_all, fields(invitation = %invitation_id))]
pub async fn respond_to_invitation(
    tx: &Tx,
    viewer: &Viewer,
    invitation_id: Uuid,
    accept: bool,
) -> ApiResult<representative_invitation::Model> {
    let me = viewer.require_account()?;
    let invitation = find_invitation(tx, invitation_id).await?;
    if invitation.account_id != me.id {
        return Err(ApiError::not_found("invitation"));
    }
    let status = if accept {
        InvitationStatus::Accepted
    } else {
        InvitationStatus::Declined
    };
    let invitation = close_invitation(tx, invitation, status).await?;
    if accept {
        add_link(tx, invitation.organization_id, me.id).await?;
    }
    audit::record(
        tx,
        Entry {
            actor: Actor::Account(me.id),
            action: if accept {
                AuditAction::OrganizationRepresentativeAdded
            } else {
                AuditAction::OrganizationInvitationDeclined
            },
            subject_kind: SubjectKind::Organization,
            subject_id: invitation.organization_id,
            summary: json!({ "account": me.id, "invitation": invitation.id }),
        },
    )
    .await?;
    Ok(invitation)
}

/// Withdraws an invitation that has not been answered. For the organization's representatives
/// and administrators. Audited.
#[tracing::instrument(skip_all, fields(invitation = %invitation_id))]
pub async fn cancel_invitation(
    tx: &Tx,
    viewer: &Viewer,
    invitation_id: Uuid,
) -> ApiResult<representative_invitation::Model> {
    let invitation = find_invitation(tx, invitation_id).await?;
    lock_for_representative(tx, viewer, invitation.organization_id)
        .await
        .map_err(|err| match err {
            // The invitation is only visible to the organization and the invited person.
            ApiError::Forbidden(_) => ApiError::not_found("invitation"),
            other => other,
        })?;
    let invitation = close_invitation(tx, invitation, InvitationStatus::Cancelled).await?;
    audit::record(
        tx,
        Entry {
            actor: Actor::of(viewer),
            action: AuditAction::OrganizationInvitationCancelled,
            subject_kind: SubjectKind::Organization,
            subject_id: invitation.organization_id,
            summary: json!({ "account": invitation.account_id, "invitation": invitation.id }),
        },
    )
    .await?;
    Ok(invitation)
}

async fn find_invitation(
    tx: &Tx,
    invitation_id: Uuid,
) -> ApiResult<representative_invitation::Model> {
    RepresentativeInvitations::find_by_id(invitation_id)
        .one(tx)
        .await?
        .ok_or_else(|| ApiError::not_found("invitation"))
}

/// Moves a pending invitation to `status` with a conditional update: of an acceptance and a
/// cancellation sent at once, one wins and the other gets `CONFLICT`.
async fn close_invitation(
    tx: &Tx,
    invitation: representative_invitation::Model,
    status: InvitationStatus,
) -> ApiResult<representative_invitation::Model> {
    let now = Utc::now();
    let moved = RepresentativeInvitations::update_many()
        .col_expr(
            representative_invitation::Column::Status,
            Expr::value(status),
        )
        .col_expr(
            representative_invitation::Column::RespondedAt,
            Expr::value(now),
        )
        .filter(representative_invitation::Column::Id.eq(invitation.id))
        .filter(representative_invitation::Column::Status.eq(InvitationStatus::Pending))
        .exec(tx)
        .await?;
    if moved.rows_affected == 0 {
        return Err(ApiError::conflict(
            "this invitation was already answered or withdrawn",
        ));
    }
    Ok(representative_invitation::Model {
        status,
        responded_at: Some(now),
        ..invitation
    })
}

/// Removes a representative, closing their period in the history (which the own-case rule still
/// reads). For the organization's representatives and administrators. An
/// organization keeps at least one representative.
#[tracing::instrument(skip_all, fields(organization = %organization_id, account = %account_id))]
pub async fn remove_representative(
    tx: &Tx,
    viewer: &Viewer,
    organization_id: Uuid,
    account_id: Uuid,
) -> ApiResult<organization::Model> {
    let organization = lock_for_representative(tx, viewer, organization_id).await?;
    let removed = OrganizationRepresentative::delete_many()
        .filter(organization_representative::Column::OrganizationId.eq(organization_id))
        .filter(organization_representative::Column::AccountId.eq(account_id))
        .exec(tx)
        .await?;
    if removed.rows_affected == 0 {
        return Err(ApiError::not_found("representative"));
    }
    let left = OrganizationRepresentative::find()
        .filter(organization_representative::Column::OrganizationId.eq(organization_id))
        .count(tx)
        .await?;
    if left == 0 {
        return Err(ApiError::conflict(
            "an organization keeps at least one representative",
        ));
    }
    history::ended(tx, organization_id, account_id, Utc::now()).await?;
    audit_representative(
        tx,
        viewer,
        AuditAction::OrganizationRepresentativeRemoved,
        organization_id,
        account_id,
    )
    .await?;
    Ok(organization)
}

/// Makes `account_id` a representative of `organization_id` from now, and opens its period in
/// the history.
async fn add_link(tx: &Tx, organization_id: Uuid, account_id: Uuid) -> ApiResult<()> {
    let now = Utc::now();
    organization_representative::ActiveModel {
        organization_id: Set(organization_id),
        account_id: Set(account_id),
        added_at: Set(now),
    }
    .insert(tx)
    .await
    .map_err(|err| {
        on_unique_violation(err, || {
            ApiError::conflict("the account already represents this organization")
        })
    })?;
    history::started(tx, organization_id, account_id, now).await
}

/// Whether `account_id` acts for the organization.
pub async fn is_representative(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    account_id: Uuid,
) -> ApiResult<bool> {
    Ok(
        OrganizationRepresentative::find_by_id((organization_id, account_id))
            .one(db)
            .await?
            .is_some(),
    )
}

/// Locks the organization's row for this transaction, after checking that the viewer may change
/// it (its representatives and administrators). The lock makes concurrent removals take turns, so that two of them
/// cannot both see a second representative and leave none.
async fn lock_for_representative(
    tx: &Tx,
    viewer: &Viewer,
    organization_id: Uuid,
) -> ApiResult<organization::Model> {
    let me = viewer.require_account()?;
    let touched = Organizations::update_many()
        .col_expr(organization::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(organization::Column::Id.eq(organization_id))
        .exec(tx)
        .await?;
    if touched.rows_affected == 0 {
        return Err(ApiError::not_found("organization"));
    }
    if !viewer.has_role(Role::Admin) && !is_representative(tx, organization_id, me.id).await? {
        return Err(ApiError::forbidden(
            "Only the organization's representatives can change it.",
        ));
    }
    Organizations::find_by_id(organization_id)
        .one(tx)
        .await
        .map_err(corrupt_row("organizations", organization_id))?
        .ok_or_else(|| ApiError::not_found("organization"))
}

async fn audit_representative(
    tx: &Tx,
    viewer: &Viewer,
    action: AuditAction,
    organization_id: Uuid,
    account_id: Uuid,
) -> ApiResult<()> {
    audit::record(
        tx,
        Entry {
            actor: Actor::of(viewer),
            action,
            subject_kind: SubjectKind::Organization,
            subject_id: organization_id,
            summary: json!({ "account": account_id }),
        },
    )
    .await
}
