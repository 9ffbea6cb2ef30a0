//! The signed-in person's own view (`viewer`): their `Account`, whose self-only fields
//! (memberships and applications) answer for them alone.

use async_graphql::{Context, Object};

use crate::{
    accounts::{loader::AccountLoader, types::Account},
    auth::Viewer,
    error::ApiResult,
    loaders::cached_loader,
};

#[derive(Default)]
pub struct ViewerQuery;

#[Object]
impl ViewerQuery {
    /// The logged-in person's account, with its private and self-only fields; null when
    /// anonymous or when calling with an API token.
    async fn viewer(&self, ctx: &Context<'_>) -> ApiResult<Option<Account>> {
        let Some(id) = Viewer::of(ctx).account_id() else {
            return Ok(None);
        };
        Ok(cached_loader::<AccountLoader>(ctx)?
            .load_one(id)
            .await?
            .map(Account::for_owner))
    }
}
