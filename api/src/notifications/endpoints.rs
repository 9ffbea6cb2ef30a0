//! Webhook endpoint commands: create, rotate the secret, delete, and send a failed delivery
//! again. An ADMIN manages the foundation's endpoints and any other; an organization's
//! representatives manage their organization's.

use std::time::Duration;

use base64::{Engine, engine::general_purpose::STANDARD};
use chrono::Utc;
use entity::{
    prelude::{OutboxEvent, WebhookDelivery, WebhookEndpoint, WebhookEndpointEvent},
    webhook_delivery::{self, DeliveryStatus},
    webhook_endpoint::{self, WebhookAudience},
    webhook_endpoint_event,
};
use rand::RngCore;
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set,
    sea_query::{Condition, Expr},
};
use serde_json::json;
use url::Url;
use uuid::Uuid;

use crate::{
    audit::{self, Actor, AuditAction, Entry, SubjectKind},
    auth::{
        ApiScope, Role, Viewer,
        sealing::{SealError, ServerSecrets},
    },
    db::Tx,
    error::{ApiError, ApiResult, corrupt_row},
    holders::Holder,
    ids,
    notifications::{audience, outbox::WebhookEvent, queue},
};

/// A new endpoint, parsed: its URL passed the SSRF guard, its events are at least one.
pub struct NewEndpoint {
    pub url: Url,
    pub events: Vec<WebhookEvent>,
    /// The organization that will own it; `None` for the foundation's own (ADMIN only).
    pub organization_id: Option<Uuid>,
    /// What it may receive; `PUBLIC` unless asked otherwise.
    pub audience: WebhookAudience,
}

/// What a secret is written with: `whsec_`, then the key in base64, as Standard Webhooks has it.
const SECRET_PREFIX: &str = "whsec_";

/// A fresh signing secret, as shown to its owner, and sealed, as stored.
fn new_secret(secrets: &ServerSecrets) -> ApiResult<(String, String)> {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let sealed = secrets.seal(&bytes).map_err(ApiError::internal)?;
    Ok((format!("{SECRET_PREFIX}{}", STANDARD.encode(bytes)), sealed))
}

/// The `whsec_…` secret from its stored form: sealed, or (from before sealing, until start-up
/// seals it) plaintext.
pub fn open_secret(secrets: &ServerSecrets, stored: &str) -> Result<String, SealError> {
    if stored.starts_with(SECRET_PREFIX) {
        return Ok(stored.to_owned());
    }
    let bytes = secrets.open(stored)?;
    Ok(format!("{SECRET_PREFIX}{}", STANDARD.encode(bytes)))
}

/// Seals every secret still stored in plaintext (written before secrets were sealed). Each row
/// is updated only if it still holds the plaintext it was read with, so replicas doing this at
/// once agree. Returns how many it sealed.
pub async fn seal_plaintext(
    db: &impl ConnectionTrait,
    secrets: &ServerSecrets,
) -> ApiResult<usize> {
    let plain = WebhookEndpoint::find()
        .filter(
            Condition::any()
                .add(webhook_endpoint::Column::Secret.starts_with(SECRET_PREFIX))
                .add(webhook_endpoint::Column::PreviousSecret.starts_with(SECRET_PREFIX)),
        )
        .all(db)
        .await?;
    let seal = |stored: &str| -> ApiResult<String> {
        match stored.strip_prefix(SECRET_PREFIX) {
            Some(key) => {
                let bytes = STANDARD.decode(key).map_err(ApiError::internal)?;
                secrets.seal(&bytes).map_err(ApiError::internal)
            }
            None => Ok(stored.to_owned()),
        }
    };
    let mut sealed = 0;
    for row in plain {
        let previous = row.previous_secret.as_deref().map(seal).transpose()?;
        let done = WebhookEndpoint::update_many()
            .col_expr(
                webhook_endpoint::Column::Secret,
                Expr::value(seal(&row.secret)?),
            )
            .col_expr(
                webhook_endpoint::Column::PreviousSecret,
                Expr::value(previous),
            )
            .filter(webhook_endpoint::Column::Id.eq(row.id))
            .filter(webhook_endpoint::Column::Secret.eq(row.secret.clone()))
            .exec(db)
            .await?;
        sealed += usize::try_from(done.rows_affected).unwrap_or(0);
    }
    Ok(sealed)
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

/// Endpoints one owner (an organization, or the foundation) may have, and one person may
/// create: every event is written once per subscribed endpoint in the transaction that causes
/// it, so endpoints without number would let anyone make every such change slow.
pub const MAX_ENDPOINTS: u64 = 20;

/// Refuses an endpoint past [`MAX_ENDPOINTS`] for its owner or its creator. The owner's lock
/// makes two creations at once count each other.
async fn within_limits(tx: &Tx, creator: Uuid, organization: Option<Uuid>) -> ApiResult<()> {
    use sea_orm::PaginatorTrait;
    let owner = organization.map_or_else(|| "foundation".to_owned(), |id| id.to_string());
    crate::db::lock_key(tx, &format!("webhook-endpoints:{owner}")).await?;
    crate::db::lock_key(tx, &format!("webhook-endpoints-by:{creator}")).await?;
    let owned = WebhookEndpoint::find()
        .filter(match organization {
            Some(id) => webhook_endpoint::Column::OrganizationId.eq(id),
            None => webhook_endpoint::Column::OrganizationId.is_null(),
        })
        .count(tx)
        .await?;
    let created = WebhookEndpoint::find()
        .filter(webhook_endpoint::Column::CreatedBy.eq(creator))
        .count(tx)
        .await?;
    if owned >= MAX_ENDPOINTS || created >= MAX_ENDPOINTS {
        return Err(ApiError::conflict(format!(
            "at most {MAX_ENDPOINTS} webhook endpoints per organization (or for the foundation) \
             and per person; delete one first"
        )));
    }
    Ok(())
}

/// Creates an endpoint. Returns it with its secret, which the caller shows this once.
#[tracing::instrument(skip_all)]
pub async fn create(
    tx: &Tx,
    viewer: &Viewer,
    secrets: &ServerSecrets,
    input: NewEndpoint,
) -> ApiResult<(webhook_endpoint::Model, String)> {
    let me = viewer.require_account()?;
    may_create(tx, viewer, input.organization_id).await?;
    match (input.audience, input.organization_id) {
        (WebhookAudience::Admin, Some(_)) => {
            return Err(ApiError::bad_input(
                crate::field!(input.audience),
                "`ADMIN` is for the foundation's own endpoints; an organization's endpoint reads as `ORGANIZATION` at most",
            ));
        }
        (WebhookAudience::Admin, None) if !viewer.has_role(Role::Admin) => {
            return Err(ApiError::forbidden(
                "only an ADMIN may create an `ADMIN` endpoint",
            ));
        }
        (WebhookAudience::Organization, None) => {
            return Err(ApiError::bad_input(
                crate::field!(input.audience),
                "`ORGANIZATION` needs `organizationId`: the organization whose own events it receives",
            ));
        }
        _ => {}
    }
    within_limits(tx, me.id, input.organization_id).await?;
    let mut events = input.events;
    events.sort_by_key(|event| event.name());
    events.dedup();
    let names: Vec<String> = events.iter().map(|event| event.name()).collect();
    let now = Utc::now();
    let (secret, sealed) = new_secret(secrets)?;
    let row = webhook_endpoint::ActiveModel {
        id: Set(ids::new_key()),
        url: Set(input.url.to_string()),
        secret: Set(sealed),
        previous_secret: Set(None),
        previous_secret_expires_at: Set(None),
        audience: Set(input.audience),
        organization_id: Set(input.organization_id),
        created_by: Set(me.id),
        created_at: Set(now),
        secret_rotated_at: Set(now),
    }
    .insert(tx)
    .await?;
    if !events.is_empty() {
        WebhookEndpointEvent::insert_many(events.into_iter().map(|event| {
            webhook_endpoint_event::ActiveModel {
                endpoint_id: Set(row.id),
                event: Set(event),
            }
        }))
        .exec_without_returning(tx)
        .await?;
    }
    audit_endpoint(
        tx,
        viewer,
        AuditAction::WebhookEndpointCreated,
        row.id,
        json!({
            "url": row.url,
            "events": names,
            "organization": row.organization_id,
            "audience": row.audience.to_value(),
        }),
    )
    .await?;
    Ok((row, secret))
}

/// Replaces the endpoint's secret. The next attempt is signed with the new one and, for `grace`
/// after now, with the old one as well (two signatures in `webhook-signature`), so that the
/// receiver can switch without losing an event. A secret rotated away earlier stops at once.
/// Returns the endpoint and its new secret, shown this once.
#[tracing::instrument(skip_all, fields(endpoint = %id))]
pub async fn rotate_secret(
    tx: &Tx,
    viewer: &Viewer,
    secrets: &ServerSecrets,
    id: Uuid,
    grace: std::time::Duration,
) -> ApiResult<(webhook_endpoint::Model, String)> {
    let current = managed(tx, viewer, id).await?;
    let now = Utc::now();
    let until = now + chrono::Duration::from_std(grace).map_err(ApiError::internal)?;
    let (secret, sealed) = new_secret(secrets)?;
    let previous = (!grace.is_zero()).then(|| current.secret.clone());
    let mut row: webhook_endpoint::ActiveModel = current.into();
    row.secret = Set(sealed);
    row.previous_secret_expires_at = Set(previous.as_ref().map(|_| until));
    row.previous_secret = Set(previous);
    row.secret_rotated_at = Set(now);
    let row = row.update(tx).await?;
    audit_endpoint(
        tx,
        viewer,
        AuditAction::WebhookSecretRotated,
        id,
        json!({ "previousValidUntil": row.previous_secret_expires_at }),
    )
    .await?;
    Ok((row, secret))
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

/// Sends a delivery again now, with the same `webhook-id`: a `FAILED` one with a fresh count of
/// attempts, a `PENDING` one waiting out its backoff at once (its attempts kept). One a worker
/// is attempting now (`lease` is the workers' claim), delivered or withheld is `CONFLICT`.
#[tracing::instrument(skip_all, fields(delivery = %id))]
pub async fn redeliver(
    tx: &Tx,
    viewer: &Viewer,
    id: Uuid,
    lease: Duration,
) -> ApiResult<webhook_delivery::Model> {
    let current = WebhookDelivery::find_by_id(id)
        .one(tx)
        .await
        .map_err(corrupt_row("webhook_deliveries", id))?
        .ok_or_else(|| ApiError::not_found("webhook delivery"))?;
    let endpoint = managed(tx, viewer, current.endpoint_id)
        .await
        .map_err(|err| match err {
            ApiError::NotFound(_) => ApiError::not_found("webhook delivery"),
            other => other,
        })?;
    let event = OutboxEvent::find_by_id(current.event_id)
        .one(tx)
        .await?
        .ok_or_else(|| ApiError::internal("a delivery's event is missing"))?;
    if current.status == DeliveryStatus::Failed
        && !audience::deliverable(tx, &endpoint, &event).await?
    {
        return Err(ApiError::conflict(
            "this event can no longer be sent to this endpoint: its owner may not read it now",
        ));
    }
    match current.status {
        DeliveryStatus::Failed => {
            if !queue::requeue(tx, id).await? {
                return Err(ApiError::conflict(
                    "this delivery changed while you asked; try again",
                ));
            }
        }
        DeliveryStatus::Pending if queue::held_by_a_worker(&current, lease, Utc::now()) => {
            return Err(ApiError::conflict(
                "this delivery is being attempted now; wait for its outcome",
            ));
        }
        DeliveryStatus::Pending => {
            if current.next_attempt_at > Utc::now() && !queue::hasten(tx, &current).await? {
                return Err(ApiError::conflict(
                    "this delivery is being attempted now; wait for its outcome",
                ));
            }
        }
        DeliveryStatus::Succeeded | DeliveryStatus::Withheld => {
            return Err(ApiError::conflict(
                "only a failed delivery, or one waiting to retry, can be sent again",
            ));
        }
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

/// Whether the viewer may manage `endpoint`: an ADMIN, a representative of its organization, or
/// an integration of the same owner holding `WEBHOOKS_MANAGE`.
pub async fn may_manage(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    endpoint: &webhook_endpoint::Model,
) -> ApiResult<bool> {
    if viewer.has_role(Role::Admin) || viewer.manages_webhooks_of(endpoint.organization_id) {
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
    if !viewer.has_scope(ApiScope::WebhooksManage) {
        viewer.require_account()?;
    }
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
