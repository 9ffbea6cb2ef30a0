//! Batches account look-ups by key: one statement per request, whatever the page size.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use entity::{account, prelude::Account};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::error::ApiError;

/// Loads accounts by id.
pub struct AccountLoader(pub DatabaseConnection);

impl Loader<Uuid> for AccountLoader {
    type Value = account::Model;
    type Error = ApiError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = Account::find()
            .filter(account::Column::Id.is_in(keys.iter().copied()))
            .all(&self.0)
            .await?;
        Ok(rows.into_iter().map(|row| (row.id, row)).collect())
    }
}

/// Loads the roles of accounts by account id.
pub struct RolesLoader(pub DatabaseConnection);

impl Loader<Uuid> for RolesLoader {
    type Value = Vec<crate::auth::Role>;
    type Error = ApiError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        use entity::{account_role, prelude::AccountRole};
        let rows = AccountRole::find()
            .filter(account_role::Column::AccountId.is_in(keys.iter().copied()))
            .all(&self.0)
            .await?;
        let mut roles: HashMap<Uuid, Self::Value> = HashMap::new();
        for row in rows {
            if let Some(role) = crate::auth::Role::parse(&row.role) {
                roles.entry(row.account_id).or_default().push(role);
            }
        }
        Ok(roles)
    }
}
