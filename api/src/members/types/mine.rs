//! What a signed-in member sees of themselves: their memberships and their applications.

use async_graphql::{Context, Object};
use entity::{
    application, membership,
    prelude::{Application as Applications, Membership as Memberships},
};
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::{
    error::ApiResult,
    holders::holder_keys_of,
    members::types::{Application, ApplicationConnection, ApplicationStatus, Membership},
    pagination::{PageArgs, cost, fetch_page},
};

/// The membership side of the signed-in viewer. Built only for the viewer's own account.
pub struct MyMembership {
    account: Uuid,
}

impl MyMembership {
    /// The membership side of `account`, which must be the viewer's.
    pub fn of_viewer(account: Uuid) -> Self {
        Self { account }
    }
}

#[Object]
impl MyMembership {
    /// The memberships the viewer holds, together with those held by the organizations the
    /// viewer represents (look at `holder` to tell them apart), oldest first. Every status is
    /// included, so a lapsed membership can be renewed.
    async fn memberships(&self, ctx: &Context<'_>) -> ApiResult<Vec<Membership>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let keys = holder_keys_of(db, self.account).await?;
        let rows = Memberships::find()
            .filter(membership::Column::HolderKey.is_in(keys))
            .order_by_asc(membership::Column::Since)
            .order_by_asc(membership::Column::Id)
            .all(db)
            .await?;
        Ok(rows.into_iter().map(Membership).collect())
    }

    /// The applications the viewer submitted, and those made for the organizations the viewer
    /// represents, oldest first.
    #[graphql(complexity = "cost(first, last, child_complexity)")]
    async fn applications(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only applications in this state.")] status: Option<ApplicationStatus>,
        #[graphql(desc = "How many applications to return, at most 100 (default 20).")]
        first: Option<i32>,
        #[graphql(desc = "Return applications after this cursor.")] after: Option<String>,
        #[graphql(desc = "How many applications to return from the end, at most 100.")]
        last: Option<i32>,
        #[graphql(desc = "Return applications before this cursor.")] before: Option<String>,
    ) -> ApiResult<ApplicationConnection> {
        let page = PageArgs::new(first, after, last, before).parse()?;
        let db = ctx.data::<DatabaseConnection>()?;
        let keys = holder_keys_of(db, self.account).await?;
        let mut query = Applications::find().filter(
            Condition::any()
                .add(application::Column::ApplicantId.eq(self.account))
                .add(application::Column::HolderKey.is_in(keys)),
        );
        if let Some(status) = status {
            query = query.filter(application::Column::Status.eq(status));
        }
        let page = fetch_page(db, query, application::Column::Id, |row| row.id, &page).await?;
        Ok(page.map(Application).into())
    }
}
