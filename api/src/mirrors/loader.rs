//! Batches mirror look-ups: verifications by mirror.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use entity::{mirror_verification, prelude::MirrorVerification};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::error::ApiError;

/// Loads each mirror's verifications, newest first.
pub struct VerificationsLoader(pub DatabaseConnection);

impl Loader<Uuid> for VerificationsLoader {
    type Value = Vec<mirror_verification::Model>;
    type Error = ApiError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = MirrorVerification::find()
            .filter(mirror_verification::Column::MirrorId.is_in(keys.iter().copied()))
            .order_by_desc(mirror_verification::Column::CheckedAt)
            .order_by_desc(mirror_verification::Column::Id)
            .all(&self.0)
            .await?;
        let mut by_mirror: HashMap<Uuid, Self::Value> = HashMap::new();
        for row in rows {
            by_mirror.entry(row.mirror_id).or_default().push(row);
        }
        Ok(by_mirror)
    }
}
