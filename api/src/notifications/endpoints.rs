//! Webhook endpoint commands: create, rotate the secret, delete, and send a failed delivery
//! again. An ADMIN manages the foundation's endpoints and any other; an organization's
//! representatives manage their organization's.

use base64::{Engine, engine::general_purpose::STANDARD};
use chrono::Utc;
use entity::{
    prelude::{WebhookDelivery, WebhookEndpoint},
    webhook_delivery, webhook_endpoint,
};
use rand::RngCore;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;
use url::Url;
use uuid::Uuid;

use crate::{
    audit::{self, Actor, AuditAction, Entry, SubjectKind},
    auth::{Role, Viewer},
    db::Tx,
    error::{ApiError, ApiResult, corrupt_row},
    holders::Holder,
    ids,
    notifications::{delivery, outbox::WebhookEvent},
};

/// A new endpoint, parsed: its URL passed the SSRF guard, its events are at least one.
pub struct NewEndpoint {
    pub url: Url,
    pub events: Vec<WebhookEvent>,
    /// The organization that will own it; `None` for the foundation's own (ADMIN only).
    pub organization_id: Option<Uuid>,
}

/// A fresh signing secret: `whsec_` and 32 random bytes in base64, as Standard Webhooks has it.
fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("whsec_{}", STANDARD.encode(bytes))
}

/// Whether the viewer may create an endpoint for `organization` (the foundation's when `None`):
/// checked before anything about the URL is looked at, so that nobody else learns anything.
pub async fn may_create(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    organization: Option<Uuid>,
) -> ApiResult<()> {
    viewer.require_account()?;
    match organization {
        None if !viewer.has_role(Role::Admin) => {
            return Err(ApiError::forbidden(
                "only an ADMIN creates the foundation's endpoints; name your organization to create one for it",
            ));
        }
        None => {}
        Some(organization) => {
            let represents = Holder::Organization(organization)
                .is_viewer_in(db, viewer)
                .await?;
            if !represents && !viewer.has_role(Role::Admin) {
                return Err(ApiError::forbidden(
                    "only the organization's representatives can create its endpoints",
                ));
            }
        }
    }
    Ok(())
}

/// Creates an endpoint. Returns it with its secret, which the caller shows this once.
#[tracing::instrument(skip_all)]
pub async fn create(
    tx: &Tx,
    viewer: &Viewer,
    input: NewEndpoint,
) -> ApiResult<webhook_endpoint::Model> {
    let me = viewer.require_account()?;
    may_create(tx, viewer, input.organization_id).await?;
    let mut names: Vec<String> = input.events.iter().map(|e| e.name()).collect();
    names.sort();
    names.dedup();
    let now = Utc::now();
    let row = webhook_endpoint::ActiveModel {
        id: Set(ids::new_key()),
        url: Set(input.url.to_string()),
        events: Set(names.join(",")),
        secret: Set(new_secret()),
        organization_id: Set(input.organization_id),
        created_by: Set(me.id),
        created_at: Set(now),
        secret_rotated_at: Set(now),
    }
    .insert(tx)
    .await?;
    audit_endpoint(
        tx,
        viewer,
        AuditAction::WebhookEndpointCreated,
        row.id,
        json!({ "url": row.url, "events": names, "organization": row.organization_id }),
    )
    .await?;
    Ok(row)
}

/// Replaces the endpoint's secret at once: the next attempt is signed with the new one.
#[tracing::instrument(skip_all, fields(endpoint = %id))]
pub async fn rotate_secret(
    tx: &Tx,
    viewer: &Viewer,
    id: Uuid,
) -> ApiResult<webhook_endpoint::Model> {
    let current = managed(tx, viewer, id).await?;
    let mut row: webhook_endpoint::ActiveModel = current.into();
    row.secret = Set(new_secret());
    row.secret_rotated_at = Set(Utc::now());
    let row = row.update(tx).await?;
    audit_endpoint(tx, viewer, AuditAction::WebhookSecretRotated, id, json!({})).await?;
    Ok(row)
}

/// Deletes the endpoint and its delivery log; nothing more is sent to it.
#[tracing::instrument(skip_all, fields(endpoint = %id))]
pub async fn delete(tx: &Tx, viewer: &Viewer, id: Uuid) -> ApiResult<webhook_endpoint::Model> {
    let current = managed(tx, viewer, id).await?;
    WebhookDelivery::delete_many()
        .filter(webhook_delivery::Column::EndpointId.eq(id))
        .exec(tx)
        .await?;
    WebhookEndpoint::delete_by_id(id).exec(tx).await?;
    audit_endpoint(
        tx,
        viewer,
        AuditAction::WebhookEndpointDeleted,
        id,
        json!({ "url": current.url }),
    )
    .await?;
    Ok(current)
}

/// Queues a `FAILED` delivery again, with the same `webhook-id`. Anything else is `CONFLICT`.
#[tracing::instrument(skip_all, fields(delivery = %id))]
pub async fn redeliver(tx: &Tx, viewer: &Viewer, id: Uuid) -> ApiResult<webhook_delivery::Model> {
    let current = WebhookDelivery::find_by_id(id)
        .one(tx)
        .await
        .map_err(corrupt_row("webhook_deliveries", id))?
        .ok_or_else(|| ApiError::not_found("webhook delivery"))?;
    managed(tx, viewer, current.endpoint_id)
        .await
        .map_err(|err| match err {
            ApiError::NotFound(_) => ApiError::not_found("webhook delivery"),
            other => other,
        })?;
    if !delivery::requeue(tx, id).await? {
        return Err(ApiError::conflict(
            "only a failed delivery can be sent again",
        ));
    }
    audit_endpoint(
        tx,
        viewer,
        AuditAction::WebhookRedelivered,
        current.endpoint_id,
        json!({ "delivery": id, "event": current.event_id }),
    )
    .await?;
    WebhookDelivery::find_by_id(id)
        .one(tx)
        .await
        .map_err(corrupt_row("webhook_deliveries", id))?
        .ok_or_else(|| ApiError::not_found("webhook delivery"))
}

/// Whether the viewer may manage `endpoint`: an ADMIN, or a representative of its organization.
pub async fn may_manage(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    endpoint: &webhook_endpoint::Model,
) -> ApiResult<bool> {
    if viewer.has_role(Role::Admin) {
        return Ok(true);
    }
    match endpoint.organization_id {
        Some(organization) => {
            Holder::Organization(organization)
                .is_viewer_in(db, viewer)
                .await
        }
        None => Ok(false),
    }
}

/// The endpoint, once the viewer may manage it; `NOT_FOUND` otherwise, so that others' endpoints
/// do not show.
async fn managed(tx: &Tx, viewer: &Viewer, id: Uuid) -> ApiResult<webhook_endpoint::Model> {
    viewer.require_account()?;
    let row = WebhookEndpoint::find_by_id(id)
        .one(tx)
        .await
        .map_err(corrupt_row("webhook_endpoints", id))?
        .ok_or_else(|| ApiError::not_found("webhook endpoint"))?;
    if !may_manage(tx, viewer, &row).await? {
        return Err(ApiError::not_found("webhook endpoint"));
    }
    Ok(row)
}

async fn audit_endpoint(
    tx: &Tx,
    viewer: &Viewer,
    action: AuditAction,
    id: Uuid,
    summary: serde_json::Value,
) -> ApiResult<()> {
    audit::record(
        tx,
        Entry {
            actor: Actor::of(viewer),
            action,
            subject_kind: SubjectKind::WebhookEndpoint,
            subject_id: id,
            summary,
        },
    )
    .await
}
