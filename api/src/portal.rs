//! The signed-in person's own view (`viewer`): their account, merged with what they hold as a
//! member. It joins two domains, so it lives beside `schema.rs` rather than in either.

use async_graphql::{Context, MergedObject, Object};

use crate::{
    accounts::{loader::AccountLoader, types::Account},
    auth::Viewer,
    error::ApiResult,
    loaders::cached_loader,
    members::types::mine::MyMembership,
};

/// The signed-in person: their account with its private fields, and their memberships and
/// applications (their own and those of the organizations they represent).
#[derive(MergedObject)]
#[graphql(name = "Viewer")]
pub struct ViewerObject(Account, MyMembership);

#[derive(Default)]
pub struct ViewerQuery;

#[Object]
impl ViewerQuery {
    /// The logged-in person; null when anonymous or when calling with an API token.
    async fn viewer(&self, ctx: &Context<'_>) -> ApiResult<Option<ViewerObject>> {
        let Some(id) = Viewer::of(ctx).account_id() else {
            return Ok(None);
        };
        Ok(cached_loader::<AccountLoader>(ctx)?
            .load_one(id)
            .await?
            .map(|row| ViewerObject(Account::for_owner(row), MyMembership::of_viewer(id))))
    }
}
