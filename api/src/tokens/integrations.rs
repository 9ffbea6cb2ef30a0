//! The integration aggregate's changes of state: creating an integration with its first secret,
//! rotating its secret with an overlap, and revoking it. An integration belongs to the
//! foundation (made by an ADMIN) or to an organization (made by an ADMIN or one of its
//! representatives), never to a person: whoever made it may leave, and it keeps working.

use std::time::Duration;

use chrono::Utc;
use entity::{
    integration, integration_scope, integration_secret,
    prelude::{Integration, IntegrationScope, IntegrationSecret},
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set,
    sea_query::Expr,
};
use serde_json::json;
use uuid::Uuid;

use crate::{
    audit::{self, Actor, AuditAction, Entry, SubjectKind},
    auth::{ApiScope, Role, Viewer, secrets, viewer::INTEGRATION_SECRET_PREFIX},
    db::Tx,
    error::{ApiError, ApiResult, corrupt_row},
    holders::Holder,
    ids,
};

/// The longest overlap a rotation may ask for: thirty days.
pub const MAX_OVERLAP: Duration = Duration::from_secs(30 * 24 * 60 * 60);

/// What `create` needs, already parsed: a name, the owner, at least one scope.
pub struct NewIntegration {
    pub name: String,
    /// The organization that will own it; `None` for the foundation's own (ADMIN only).
    pub organization_id: Option<Uuid>,
    pub scopes: Vec<ApiScope>,
}

/// A secret just made: shown this once, then only its hash is kept.
pub struct IssuedSecret {
    pub secret: String,
    pub row: integration_secret::Model,
}

/// Whether the viewer, a person, may make or manage integrations of `organization` (the
/// foundation's when `None`): an ADMIN any, a representative their organization's. No token or
/// integration may, whatever its scopes: a credential never mints another.
pub async fn may_manage(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    organization: Option<Uuid>,
) -> ApiResult<bool> {
    viewer.require_account()?;
    if viewer.has_role(Role::Admin) {
        return Ok(true);
    }
    match organization {
        None => Ok(false),
        Some(organization) => {
            Holder::Organization(organization)
                .is_viewer_in(db, viewer)
                .await
        }
    }
}

/// Checks the scopes asked for against the owner: `AUDIT_READ` reads the whole log, which is
/// the foundation's, so only a foundation integration may hold it.
fn check_scopes(organization: Option<Uuid>, scopes: &[ApiScope]) -> ApiResult<()> {
    if scopes.is_empty() {
        return Err(ApiError::bad_input(
            crate::field!(input.scopes),
            "give at least one scope",
        ));
    }
    if organization.is_some() && scopes.contains(&ApiScope::AuditRead) {
        return Err(ApiError::bad_input(
            crate::field!(input.scopes),
            "AUDIT_READ reads the foundation's whole audit log: only an integration of the foundation (no organizationId), made by an ADMIN, may hold it",
        ));
    }
    Ok(())
}

/// Creates an integration and its first secret.
#[tracing::instrument(skip_all)]
pub async fn create(
    tx: &Tx,
    viewer: &Viewer,
    input: NewIntegration,
) -> ApiResult<(integration::Model, IssuedSecret)> {
    let me = viewer.require_account()?;
    if !may_manage(tx, viewer, input.organization_id).await? {
        return Err(ApiError::forbidden(match input.organization_id {
            None => {
                "only an ADMIN creates the foundation's integrations; name your organization to create one for it"
            }
            Some(_) => {
                "only an ADMIN or the organization's representatives create its integrations"
            }
        }));
    }
    check_scopes(input.organization_id, &input.scopes)?;
    let now = Utc::now();
    let row = integration::ActiveModel {
        id: Set(ids::new_key()),
        name: Set(input.name),
        organization_id: Set(input.organization_id),
        created_by: Set(Some(me.id)),
        created_at: Set(now),
        revoked_at: Set(None),
    }
    .insert(tx)
    .await?;
    // Each scope once, in the order the audit entry lists them.
    let mut scopes = input.scopes;
    scopes.sort_by_key(|scope| scope.name());
    scopes.dedup();
    IntegrationScope::insert_many(scopes.iter().map(|scope| integration_scope::ActiveModel {
        integration_id: Set(row.id),
        scope: Set(*scope),
    }))
    .exec_without_returning(tx)
    .await?;
    let issued = issue_secret(tx, row.id).await?;
    let names: Vec<String> = scopes.iter().map(|scope| scope.name()).collect();
    audit::record(
        tx,
        Entry {
            actor: Actor::of(viewer),
            action: AuditAction::IntegrationCreated,
            subject_kind: SubjectKind::Integration,
            subject_id: row.id,
            summary: json!({
                "name": row.name,
                "organization": row.organization_id,
                "scopes": names,
                "secret": issued.row.prefix,
            }),
        },
    )
    .await?;
    Ok((row, issued))
}

/// Replaces the integration's secret. The secret it replaces keeps working for `overlap` after
/// now, so that the integration's deployments can switch without an outage; one rotated away
/// earlier and still in its overlap stops at once, so that at most two secrets ever work.
/// Returns the integration, the new secret and when the replaced one stops.
#[tracing::instrument(skip_all, fields(integration = %id))]
pub async fn rotate_secret(
    tx: &Tx,
    viewer: &Viewer,
    id: Uuid,
    overlap: Duration,
) -> ApiResult<(integration::Model, IssuedSecret, chrono::DateTime<Utc>)> {
    let row = managed(tx, viewer, id).await?;
    if row.revoked_at.is_some() {
        return Err(ApiError::conflict(
            "the integration is revoked; create a new one",
        ));
    }
    let now = Utc::now();
    let overlap = chrono::Duration::from_std(overlap).map_err(ApiError::internal)?;
    let until = now + overlap;
    IntegrationSecret::update_many()
        .col_expr(integration_secret::Column::ExpiresAt, Expr::value(now))
        .filter(integration_secret::Column::IntegrationId.eq(id))
        .filter(integration_secret::Column::ExpiresAt.gt(now))
        .exec(tx)
        .await?;
    IntegrationSecret::update_many()
        .col_expr(integration_secret::Column::ExpiresAt, Expr::value(until))
        .filter(integration_secret::Column::IntegrationId.eq(id))
        .filter(integration_secret::Column::ExpiresAt.is_null())
        .exec(tx)
        .await?;
    let issued = issue_secret(tx, id).await?;
    audit::record(
        tx,
        Entry {
            actor: Actor::of(viewer),
            action: AuditAction::IntegrationSecretRotated,
            subject_kind: SubjectKind::Integration,
            subject_id: id,
            summary: json!({
                "secret": issued.row.prefix,
                "previousExpiresAt": until,
                "overlapSeconds": overlap.num_seconds(),
            }),
        },
    )
    .await?;
    Ok((row, issued, until))
}

/// Revokes an integration at once: none of its secrets works from the next request.
#[tracing::instrument(skip_all, fields(integration = %id))]
pub async fn revoke(tx: &Tx, viewer: &Viewer, id: Uuid) -> ApiResult<integration::Model> {
    let row = managed(tx, viewer, id).await?;
    let revoked = Integration::update_many()
        .col_expr(integration::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(integration::Column::Id.eq(id))
        .filter(integration::Column::RevokedAt.is_null())
        .exec(tx)
        .await?;
    if revoked.rows_affected == 0 {
        return Err(ApiError::conflict("the integration is already revoked"));
    }
    audit::record(
        tx,
        Entry {
            actor: Actor::of(viewer),
            action: AuditAction::IntegrationRevoked,
            subject_kind: SubjectKind::Integration,
            subject_id: id,
            summary: json!({ "name": row.name }),
        },
    )
    .await?;
    Integration::find_by_id(id)
        .one(tx)
        .await
        .map_err(corrupt_row("integrations", id))?
        .ok_or_else(|| ApiError::not_found("integration"))
}

/// The integration, locked, once the viewer may manage it; `NOT_FOUND` otherwise, so that
/// others' integrations do not show.
async fn managed(tx: &Tx, viewer: &Viewer, id: Uuid) -> ApiResult<integration::Model> {
    viewer.require_account()?;
    let row = Integration::find_by_id(id)
        .lock_exclusive()
        .one(tx)
        .await
        .map_err(corrupt_row("integrations", id))?
        .ok_or_else(|| ApiError::not_found("integration"))?;
    if !may_manage(tx, viewer, row.organization_id).await? {
        return Err(ApiError::not_found("integration"));
    }
    Ok(row)
}

/// A new secret for the integration, stored as its hash.
async fn issue_secret(tx: &Tx, integration_id: Uuid) -> ApiResult<IssuedSecret> {
    let secret = secrets::generate(INTEGRATION_SECRET_PREFIX);
    let row = integration_secret::ActiveModel {
        id: Set(ids::new_key()),
        integration_id: Set(integration_id),
        prefix: Set(secret.chars().take(12).collect()),
        secret_hash: Set(secrets::hash(&secret)),
        created_at: Set(Utc::now()),
        expires_at: Set(None),
        last_used_at: Set(None),
    }
    .insert(tx)
    .await?;
    Ok(IssuedSecret { secret, row })
}
