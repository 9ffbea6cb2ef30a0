//! Batches API token and integration look-ups: the scopes (and secrets) of a page of them in
//! one statement.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use entity::{
    api_token_scope, integration_scope, integration_secret,
    prelude::{ApiTokenScope, IntegrationScope, IntegrationSecret},
};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::{auth::ApiScope, error::ApiError};

/// Scopes grouped by the token or integration holding them, each list by name, as the comma
/// list they replaced was kept: the same on either backend's collation.
fn by_owner(rows: impl Iterator<Item = (Uuid, ApiScope)>) -> HashMap<Uuid, Vec<ApiScope>> {
    let mut by_owner: HashMap<Uuid, Vec<ApiScope>> = HashMap::new();
    for (owner, scope) in rows {
        by_owner.entry(owner).or_default().push(scope);
    }
    for scopes in by_owner.values_mut() {
        scopes.sort_by_key(|scope| scope.name());
    }
    by_owner
}

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
        Ok(by_owner(
            rows.into_iter().map(|row| (row.api_token_id, row.scope)),
        ))
    }
}

/// Loads each integration's scopes, by their stored names in order.
pub struct IntegrationScopesLoader(pub DatabaseConnection);

impl Loader<Uuid> for IntegrationScopesLoader {
    type Value = Vec<ApiScope>;
    type Error = ApiError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = IntegrationScope::find()
            .filter(integration_scope::Column::IntegrationId.is_in(keys.iter().copied()))
            .all(&self.0)
            .await?;
        Ok(by_owner(
            rows.into_iter().map(|row| (row.integration_id, row.scope)),
        ))
    }
}

/// Loads each integration's secrets that still work, or worked, newest first.
pub struct IntegrationSecretsLoader(pub DatabaseConnection);

impl Loader<Uuid> for IntegrationSecretsLoader {
    type Value = Vec<integration_secret::Model>;
    type Error = ApiError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = IntegrationSecret::find()
            .filter(integration_secret::Column::IntegrationId.is_in(keys.iter().copied()))
            .order_by_desc(integration_secret::Column::CreatedAt)
            .order_by_desc(integration_secret::Column::Id)
            .all(&self.0)
            .await?;
        let mut by_integration: HashMap<Uuid, Self::Value> = HashMap::new();
        for row in rows {
            by_integration
                .entry(row.integration_id)
                .or_default()
                .push(row);
        }
        Ok(by_integration)
    }
}
