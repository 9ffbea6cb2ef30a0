//! Listing webhook endpoints.

use async_graphql::{Context, Object};
use entity::{prelude::WebhookEndpoint as Endpoints, webhook_endpoint};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::{
    auth::{ApiScope, Role, SessionOrScopeGuard, Viewer},
    error::ApiResult,
    holders::types::viewer_organizations,
    notifications::{
        preferences,
        types::{WebhookEndpoint, WebhookEndpointConnection},
    },
    pagination::{PageArgs, cost, fetch_page},
};

#[derive(Default)]
pub struct NotificationQuery;

#[Object]
impl NotificationQuery {
    /// The webhook endpoints the viewer manages, oldest first: every endpoint for an ADMIN,
    /// their organizations' for representatives, its owner's for an integration holding
    /// `WEBHOOKS_MANAGE`.
    #[graphql(
        guard = "SessionOrScopeGuard(ApiScope::WebhooksManage)",
        complexity = "cost(first, last, child_complexity)"
    )]
    async fn webhook_endpoints(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many endpoints to return, at most 100 (default 20).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Return endpoints after this cursor.")] after: Option<String>,
        #[graphql(desc = "How many endpoints to return from the end, at most 100.")] last: Option<
            i32,
        >,
        #[graphql(desc = "Return endpoints before this cursor.")] before: Option<String>,
    ) -> ApiResult<Option<WebhookEndpointConnection>> {
        let viewer = Viewer::of(ctx);
        let page = PageArgs::new(first, after, last, before).parse()?;
        let mut query = Endpoints::find();
        if let Some(grant) = viewer.integration() {
            // The guard let it in by its WEBHOOKS_MANAGE: its own owner's endpoints only.
            query = query.filter(match grant.organization_id {
                Some(organization) => webhook_endpoint::Column::OrganizationId.eq(organization),
                None => webhook_endpoint::Column::OrganizationId.is_null(),
            });
        } else if !viewer.has_role(Role::Admin) {
            let organizations = viewer_organizations(ctx).await?;
            query = query.filter(webhook_endpoint::Column::OrganizationId.is_in(organizations));
        }
        let db = ctx.data::<DatabaseConnection>()?;
        let page = fetch_page(db, query, webhook_endpoint::Column::Id, |row| row.id, &page).await?;
        Ok(Some(page.map(WebhookEndpoint).into()))
    }

    /// Whether the logged-in person receives non-essential mail (reminders); null when
    /// anonymous.
    async fn email_preferences(&self, ctx: &Context<'_>) -> ApiResult<Option<EmailPreferences>> {
        let Some(me) = Viewer::of(ctx).account_id() else {
            return Ok(None);
        };
        let db = ctx.data::<DatabaseConnection>()?;
        Ok(Some(EmailPreferences {
            non_essential: preferences::non_essential(db, me).await?,
        }))
    }
}

/// The logged-in person's mail preferences.
#[derive(async_graphql::SimpleObject)]
pub struct EmailPreferences {
    /// Whether non-essential mail (renewal reminders, grace and expiry notices) is sent.
    /// Security and governance mail always is.
    pub non_essential: bool,
}
