//! Listing the viewer's own API tokens.

use async_graphql::{Context, Object};
use entity::{api_token, prelude::ApiToken as ApiTokens};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::{
    auth::{SessionGuard, Viewer},
    error::ApiResult,
    pagination::{PageArgs, cost, fetch_page},
    tokens::types::{ApiToken, ApiTokenConnection},
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
}
