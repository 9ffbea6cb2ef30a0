//! Reading amendments: one by ID, or a page of them.

use async_graphql::{Context, ID, Object};
use entity::{amendment, prelude::Amendment as Amendments};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::{
    amendments::{
        AmendmentStatus,
        types::{Amendment, AmendmentConnection},
    },
    auth::{Role, Viewer},
    error::{ApiResult, corrupt_row},
    ids::key_of,
    pagination::{PageArgs, cost, fetch_page_counting},
};

#[derive(Default)]
pub struct AmendmentQuery;

#[Object]
impl AmendmentQuery {
    /// One amendment. Drafts are seen only by their proposer and the secretary.
    async fn amendment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The amendment's ID.")] id: ID,
    ) -> ApiResult<Option<Amendment>> {
        let key = key_of::<Amendment>(&id, &crate::field!(id))?;
        let db = ctx.data::<DatabaseConnection>()?;
        Ok(Amendments::find_by_id(key)
            .one(db)
            .await
            .map_err(corrupt_row("amendments", key))?
            .map(Amendment)
            .filter(|a| a.visible(Viewer::of(ctx))))
    }

    /// Amendments, oldest first, optionally in one state. Drafts are listed only for their
    /// proposer and the secretary.
    #[graphql(complexity = "cost(first, last, child_complexity)")]
    async fn amendments(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only amendments in this state.")] status: Option<AmendmentStatus>,
        #[graphql(desc = "How many amendments to return, at most 100 (default 20).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Return amendments after this cursor.")] after: Option<String>,
        #[graphql(desc = "How many amendments to return from the end, at most 100.")] last: Option<
            i32,
        >,
        #[graphql(desc = "Return amendments before this cursor.")] before: Option<String>,
    ) -> ApiResult<AmendmentConnection> {
        let viewer = Viewer::of(ctx);
        let page = PageArgs::new(first, after, last, before).parse()?;
        let mut query = Amendments::find();
        if let Some(status) = status {
            query = query.filter(amendment::Column::Status.eq(status));
        }
        if !viewer.has_role(Role::Secretary) {
            let mut visible =
                sea_orm::Condition::any().add(amendment::Column::Status.ne(AmendmentStatus::Draft));
            if let Some(me) = viewer.account_id() {
                visible = visible.add(amendment::Column::ProposerId.eq(me));
            }
            query = query.filter(visible);
        }
        let db = ctx.data::<DatabaseConnection>()?;
        let count = crate::pagination::selects_total(ctx);
        let page =
            fetch_page_counting(db, query, amendment::Column::Id, |row| row.id, &page, count)
                .await?;
        Ok(page.map(Amendment).into())
    }
}
