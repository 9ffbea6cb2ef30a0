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
