//! Reading elections: one by ID, or a page of them.

use async_graphql::{Context, ID, Object};
use entity::{
    election::{self, ElectionState},
    prelude::Election as Elections,
};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::{
    auth::{ApiScope, Role, Viewer},
    elections::{
        types::{Election, ElectionConnection},
        visibility::election_visible,
    },
    error::{ApiError, ApiResult, corrupt_row},
    ids::key_of,
    pagination::{PageArgs, cost, fetch_page},
};

#[derive(Default)]
pub struct ElectionQuery;

#[Object]
impl ElectionQuery {
    /// One election. Drafts are seen only by the election committee and administrators.
    async fn election(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The election's ID.")] id: ID,
    ) -> ApiResult<Option<Election>> {
        let key = key_of::<Election>(&id, &crate::field!(id))?;
        let db = ctx.data::<DatabaseConnection>()?;
        Ok(Elections::find_by_id(key)
            .one(db)
            .await
            .map_err(corrupt_row("elections", key))?
            .filter(|e| election_visible(e, Viewer::of(ctx)))
            .map(Election))
    }

    /// Elections, oldest first, optionally in one state. Drafts are listed only for the
    /// election committee and administrators.
    #[graphql(complexity = "cost(first, last, child_complexity)")]
    async fn elections(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only elections in this state.")] state: Option<ElectionState>,
        #[graphql(desc = "How many elections to return, at most 100 (default 20).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Return elections after this cursor.")] after: Option<String>,
        #[graphql(desc = "How many elections to return from the end, at most 100.")] last: Option<
            i32,
        >,
        #[graphql(desc = "Return elections before this cursor.")] before: Option<String>,
    ) -> ApiResult<ElectionConnection> {
        let viewer = Viewer::of(ctx);
        if matches!(viewer, Viewer::ApiToken(_)) && !viewer.has_scope(ApiScope::ElectionsRead) {
            return Err(ApiError::forbidden(
                "this token lacks the ELECTIONS_READ scope",
            ));
        }
        let page = PageArgs::new(first, after, last, before).parse()?;
        let mut query = Elections::find();
        if let Some(state) = state {
            query = query.filter(election::Column::State.eq(state));
        }
        if !viewer.has_role(Role::ElectionCommittee) && !viewer.has_role(Role::Admin) {
            query = query.filter(election::Column::State.ne(ElectionState::Draft));
        }
        let db = ctx.data::<DatabaseConnection>()?;
        let page = fetch_page(db, query, election::Column::Id, |row| row.id, &page).await?;
        Ok(page.map(Election).into())
    }
}
