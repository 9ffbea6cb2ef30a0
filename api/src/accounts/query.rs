//! Reading accounts: who am I.

use async_graphql::{Context, Object};

use crate::{
    accounts::{loader::AccountLoader, types::Account},
    auth::Viewer,
    error::ApiResult,
    loaders::loader,
};

#[derive(Default)]
pub struct AccountQuery;

#[Object]
impl AccountQuery {
    /// The logged-in person; null when anonymous or when calling with an API token.
    async fn viewer(&self, ctx: &Context<'_>) -> ApiResult<Option<Account>> {
        let Some(id) = Viewer::of(ctx).account_id() else {
            return Ok(None);
        };
        Ok(loader::<AccountLoader>(ctx)?
            .load_one(id)
            .await?
            .map(Account))
    }
}
