//! Batches API token look-ups: the scopes of a page of tokens in one statement.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use entity::{api_token_scope, prelude::ApiTokenScope};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::{auth::ApiScope, error::ApiError};

/// Loads each token's scopes, by their stored names in order.
pub struct ScopesLoader(pub DatabaseConnection);

impl Loader<Uuid> for ScopesLoader {
    type Value = Vec<ApiScope>;
    type Error = ApiError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = ApiTokenScope::find()
            .filter(api_token_scope::Column::ApiTokenId.is_in(keys.iter().copied()))
            .all(&self.0)
            .await?;
        let mut by_token: HashMap<Uuid, Self::Value> = HashMap::new();
        for row in rows {
            by_token
                .entry(row.api_token_id)
                .or_default()
                .push(row.scope);
        }
        // By name, as the comma list they replaced was kept: the same on either backend's
        // collation.
        for scopes in by_token.values_mut() {
            scopes.sort_by_key(|scope| scope.name());
        }
        Ok(by_token)
    }
}
