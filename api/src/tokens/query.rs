//! Listing the viewer's own API tokens, and the integrations the viewer manages.

use async_graphql::{Context, ID, Object};
use entity::{
    api_token, integration,
    prelude::{ApiToken as ApiTokens, Integration as Integrations},
};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::{
    auth::{Role, SessionGuard, Viewer},
    error::{ApiError, ApiResult},
    holders::types::viewer_organizations,
    ids::key_of,
    organizations::types::Organization,
    pagination::{PageArgs, cost, fetch_page},
    tokens::types::{ApiToken, ApiTokenConnection, Integration, IntegrationConnection},
};

#[derive(Default)]
pub struct ApiTokenQuery;

#[Object]
impl ApiTokenQuery {
    /// The API tokens the logged-in person created, oldest first, revoked ones included.
    #[graphql(
        guard = "SessionGuard",
        complexity = "cost(first, last, child_complexity)"
    )]
    async fn api_tokens(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many tokens to return, at most 100 (default 20).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Return tokens after this cursor.")] after: Option<String>,
        #[graphql(desc = "How many tokens to return from the end, at most 100.")] last: Option<i32>,
        #[graphql(desc = "Return tokens before this cursor.")] before: Option<String>,
    ) -> ApiResult<Option<ApiTokenConnection>> {
        let me = Viewer::of(ctx).require_account()?;
        let page = PageArgs::new(first, after, last, before).parse()?;
        let query = ApiTokens::find().filter(api_token::Column::AccountId.eq(me.id));
        let db = ctx.data::<DatabaseConnection>()?;
        let page = fetch_page(db, query, api_token::Column::Id, |row| row.id, &page).await?;
        Ok(Some(page.map(ApiToken).into()))
    }

    /// The integrations the viewer manages, oldest first, revoked ones included: every one for
    /// an ADMIN, their organizations' for representatives. `organizationId` narrows the list
    /// to one organization's.
    #[graphql(
        guard = "SessionGuard",
        complexity = "cost(first, last, child_complexity)"
    )]
    async fn integrations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this organization's integrations.")] organization_id: Option<ID>,
        #[graphql(desc = "How many integrations to return, at most 100 (default 20).")]
        first: Option<i32>,
        #[graphql(desc = "Return integrations after this cursor.")] after: Option<String>,
        #[graphql(desc = "How many integrations to return from the end, at most 100.")]
        last: Option<i32>,
        #[graphql(desc = "Return integrations before this cursor.")] before: Option<String>,
    ) -> ApiResult<Option<IntegrationConnection>> {
        let viewer = Viewer::of(ctx);
        viewer.require_account()?;
        let organization = organization_id
            .map(|id| key_of::<Organization>(&id, &crate::field!(organization_id)))
            .transpose()?;
        let page = PageArgs::new(first, after, last, before).parse()?;
        let mut query = Integrations::find();
        if !viewer.has_role(Role::Admin) {
            let mine = viewer_organizations(ctx).await?;
            if organization.is_some_and(|organization| !mine.contains(&organization)) {
                return Err(ApiError::forbidden(
                    "only an ADMIN or the organization's representatives see its integrations",
                ));
            }
            query = query.filter(integration::Column::OrganizationId.is_in(mine));
        }
        if let Some(organization) = organization {
            query = query.filter(integration::Column::OrganizationId.eq(organization));
        }
        let db = ctx.data::<DatabaseConnection>()?;
        let page = fetch_page(db, query, integration::Column::Id, |row| row.id, &page).await?;
        Ok(Some(page.map(Integration).into()))
    }
}
