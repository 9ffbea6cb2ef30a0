//! The organization aggregate's changes of state: creating one and managing its representatives.

use crate::audit::{AuditAction, SubjectKind};
use crate::db::Tx;
use chrono::Utc;
use entity::{
    organization, organization_representative,
    prelude::{Organization as Organizations, OrganizationRepresentative},
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

/// Adds a representative. For the organization's representatives and administrators.
#[tracing::instrument(skip_all, fields(organization = %organization_id, account = %account_id))]
pub async fn add_representative(
    tx: &Tx,
    viewer: &Viewer,
    organization_id: Uuid,
    account_id: Uuid,
) -> ApiResult<organization::Model> {
    let organization = lock_for_representative(tx, viewer, organization_id).await?;
    find_account(tx, account_id).await?;
    add_link(tx, organization_id, account_id).await?;
    audit_representative(
        tx,
        viewer,
        AuditAction::OrganizationRepresentativeAdded,
        organization_id,
        account_id,
    )
    .await?;
    Ok(organization)
}

/// Removes a representative. For the organization's representatives and administrators. An
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

async fn add_link(tx: &Tx, organization_id: Uuid, account_id: Uuid) -> ApiResult<()> {
    organization_representative::ActiveModel {
        organization_id: Set(organization_id),
        account_id: Set(account_id),
        added_at: Set(Utc::now()),
    }
    .insert(tx)
    .await
    .map_err(|err| {
        on_unique_violation(err, || {
            ApiError::conflict("the account already represents this organization")
        })
    })?;
    Ok(())
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
