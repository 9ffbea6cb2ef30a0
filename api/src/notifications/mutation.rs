//! Managing webhook endpoints and one's mail preferences.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use entity::webhook_endpoint::WebhookAudience;

use crate::{
    auth::{ApiScope, SessionGuard, SessionOrScopeGuard, Viewer},
    error::{ApiError, ApiResult},
    ids::key_of,
    notifications::{
        address::Reach,
        endpoints::{self, NewEndpoint},
        outbox::WebhookEvent,
        preferences,
        types::{WebhookDelivery, WebhookEndpoint},
    },
    organizations::types::Organization,
    resolve::run,
    services::Services,
};

#[derive(Default)]
pub struct NotificationMutation;

/// Input of `createWebhookEndpoint`.
#[derive(InputObject)]
pub struct CreateWebhookEndpointInput {
    /// Where to `POST` events: `https` (plain `http` to loopback in development only), never to
    /// a private, loopback, link-local or metadata address.
    pub url: String,
    /// The events to receive; at least one.
    pub events: Vec<WebhookEvent>,
    /// The organization that owns the endpoint (its representatives only). Leave out for the
    /// foundation's own endpoint, which an ADMIN creates.
    pub organization_id: Option<ID>,
    /// What the endpoint may receive (default `PUBLIC`: what anonymous callers may read).
    /// `ORGANIZATION` (an organization's endpoint) also receives that organization's own events
    /// that the public may not see; `ADMIN` (the foundation's, made by an ADMIN) everything an
    /// ADMIN may read. The creator's right is checked again at each delivery: once it is lost,
    /// the endpoint receives public events only.
    pub audience: Option<WebhookAudience>,
}

/// A new endpoint and its signing secret, shown this once.
#[derive(SimpleObject)]
pub struct CreateWebhookEndpointPayload {
    /// The endpoint.
    pub endpoint: WebhookEndpoint,
    /// The `whsec_…` secret that signs every event: keep it to verify `webhook-signature`.
    pub secret: String,
}

/// Input of `rotateWebhookSecret`.
#[derive(InputObject)]
pub struct RotateWebhookSecretInput {
    /// The endpoint whose secret to replace.
    pub endpoint_id: ID,
}

/// The endpoint's new secret, shown this once. The old one keeps signing beside it for the grace
/// period (`QUORUM_WEBHOOK_SECRET_GRACE_SECS`, a day by default; see
/// `WebhookEndpoint.previousSecretExpiresAt`), so a receiver can switch without losing an event.
#[derive(SimpleObject)]
pub struct RotateWebhookSecretPayload {
    /// The new `whsec_…` secret.
    pub secret: String,
    /// The endpoint.
    pub endpoint: WebhookEndpoint,
}

/// Input of `deleteWebhookEndpoint`.
#[derive(InputObject)]
pub struct DeleteWebhookEndpointInput {
    /// The endpoint to delete.
    pub endpoint_id: ID,
}

/// The deleted endpoint.
#[derive(SimpleObject)]
pub struct DeleteWebhookEndpointPayload {
    /// The endpoint as it was.
    pub endpoint: WebhookEndpoint,
}

/// Input of `redeliverWebhook`.
#[derive(InputObject)]
pub struct RedeliverWebhookInput {
    /// The failed delivery to send again.
    pub delivery_id: ID,
}

/// The delivery, queued again.
#[derive(SimpleObject)]
pub struct RedeliverWebhookPayload {
    /// The delivery, `PENDING` again.
    pub delivery: WebhookDelivery,
}

/// Input of `setEmailPreferences`.
#[derive(InputObject)]
pub struct SetEmailPreferencesInput {
    /// Whether to receive non-essential mail: renewal reminders and the notices of grace and
    /// expiry. Security and governance mail is always sent.
    pub non_essential: bool,
}

/// The viewer's mail preferences.
#[derive(SimpleObject)]
pub struct SetEmailPreferencesPayload {
    /// Whether non-essential mail is sent.
    pub non_essential: bool,
}

#[Object]
impl NotificationMutation {
    /// Creates a webhook endpoint. An ADMIN creates the foundation's; an organization's
    /// representatives create their organization's. Each receives only what its `audience`
    /// allows and its creator may still read; `PUBLIC` unless asked otherwise.
    #[graphql(guard = "SessionGuard")]
    async fn create_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation\'s input.")] input: CreateWebhookEndpointInput,
    ) -> ApiResult<CreateWebhookEndpointPayload> {
        let state = ctx.data::<Services>()?;
        let reach = Reach::for_production(state.config.is_production());
        let url = reach.parse(&input.url, &crate::field!(input.url))?;
        if input.events.is_empty() {
            return Err(ApiError::bad_input(
                crate::field!(input.events),
                "give at least one event",
            ));
        }
        let organization_id = input
            .organization_id
            .as_ref()
            .map(|id| key_of::<Organization>(id, &crate::field!(input.organization_id)))
            .transpose()?;
        // Who may create it comes first: nobody else gets to learn how a name resolves.
        endpoints::may_create(&state.db, Viewer::of(ctx), organization_id).await?;
        // Checked after DNS too: a name that resolves to an internal address is refused now,
        // and again at each delivery. One message for every outcome, so that the answer tells
        // nothing about internal names.
        if let Err(why) = reach.resolve(&url).await {
            tracing::info!(url = %url, reason = %why, "a webhook endpoint's host was refused");
            return Err(ApiError::bad_input(
                crate::field!(input.url),
                "`input.url` cannot be used: its host does not resolve to a public address",
            ));
        }
        let new = NewEndpoint {
            url,
            events: input.events,
            organization_id,
            audience: input.audience.unwrap_or(WebhookAudience::Public),
        };
        let (row, secret) = run(ctx, new, async |tx, viewer, new| {
            endpoints::create(tx, viewer, &state.secrets, new).await
        })
        .await?;
        Ok(CreateWebhookEndpointPayload {
            secret,
            endpoint: WebhookEndpoint(row),
        })
    }

    /// Replaces an endpoint's signing secret. The next attempt is signed with the new one, and
    /// with the old one beside it until the grace period ends.
    #[graphql(guard = "SessionOrScopeGuard(ApiScope::WebhooksManage)")]
    async fn rotate_webhook_secret(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation\'s input.")] input: RotateWebhookSecretInput,
    ) -> ApiResult<RotateWebhookSecretPayload> {
        let state = ctx.data::<Services>()?;
        let id = key_of::<WebhookEndpoint>(&input.endpoint_id, &crate::field!(input.endpoint_id))?;
        let grace = state.config.notifications.secret_grace;
        let (row, secret) = run(ctx, grace, async |tx, viewer, grace| {
            endpoints::rotate_secret(tx, viewer, &state.secrets, id, grace).await
        })
        .await?;
        Ok(RotateWebhookSecretPayload {
            secret,
            endpoint: WebhookEndpoint(row),
        })
    }

    /// Deletes a webhook endpoint and its delivery log.
    #[graphql(guard = "SessionOrScopeGuard(ApiScope::WebhooksManage)")]
    async fn delete_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation\'s input.")] input: DeleteWebhookEndpointInput,
    ) -> ApiResult<DeleteWebhookEndpointPayload> {
        let id = key_of::<WebhookEndpoint>(&input.endpoint_id, &crate::field!(input.endpoint_id))?;
        let row = run(ctx, id, endpoints::delete).await?;
        Ok(DeleteWebhookEndpointPayload {
            endpoint: WebhookEndpoint(row),
        })
    }

    /// Sends a delivery again now, with the same `webhook-id`: one that failed, or one waiting
    /// out its backoff before its next retry (after fixing the receiver, say). `CONFLICT` for one
    /// being attempted at this moment, delivered or withheld, or when the endpoint's owner may
    /// no longer read the event.
    #[graphql(guard = "SessionOrScopeGuard(ApiScope::WebhooksManage)")]
    async fn redeliver_webhook(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation\'s input.")] input: RedeliverWebhookInput,
    ) -> ApiResult<RedeliverWebhookPayload> {
        let state = ctx.data::<Services>()?;
        let id = key_of::<WebhookDelivery>(&input.delivery_id, &crate::field!(input.delivery_id))?;
        let lease = state.config.notifications.lease;
        let row = run(ctx, id, async |tx, viewer, id| {
            endpoints::redeliver(tx, viewer, id, lease).await
        })
        .await?;
        Ok(RedeliverWebhookPayload {
            delivery: WebhookDelivery(row),
        })
    }

    /// Chooses whether the viewer receives non-essential mail (reminders). Security and
    /// governance mail cannot be turned off. Audited.
    #[graphql(guard = "SessionGuard")]
    async fn set_email_preferences(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation\'s input.")] input: SetEmailPreferencesInput,
    ) -> ApiResult<SetEmailPreferencesPayload> {
        let non_essential = run(ctx, input.non_essential, preferences::set).await?;
        Ok(SetEmailPreferencesPayload { non_essential })
    }
}
