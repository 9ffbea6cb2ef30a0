//! Batches the membership relations: classes, mirrors of an owner, and the application mirrors.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use entity::{
    application_mirror,
    membership_class::{self, MembershipClassKey},
    mirror,
    prelude::{ApplicationMirror, MembershipClass, Mirror},
};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::error::ApiError;

/// Loads membership classes by key.
pub struct MembershipClassLoader(pub DatabaseConnection);

impl Loader<MembershipClassKey> for MembershipClassLoader {
    type Value = membership_class::Model;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[MembershipClassKey],
    ) -> Result<HashMap<MembershipClassKey, Self::Value>, Self::Error> {
        let rows = MembershipClass::find()
            .filter(membership_class::Column::Key.is_in(keys.iter().copied()))
            .all(&self.0)
            .await?;
        Ok(rows.into_iter().map(|row| (row.key, row)).collect())
    }
}

/// Loads the mirrors named by each application.
pub struct ApplicationMirrorsLoader(pub DatabaseConnection);

impl Loader<Uuid> for ApplicationMirrorsLoader {
    type Value = Vec<mirror::Model>;
    type Error = ApiError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let links = ApplicationMirror::find()
            .filter(application_mirror::Column::ApplicationId.is_in(keys.iter().copied()))
            .all(&self.0)
            .await?;
        let mirrors: HashMap<Uuid, mirror::Model> = Mirror::find()
            .filter(mirror::Column::Id.is_in(links.iter().map(|link| link.mirror_id)))
            .order_by_asc(mirror::Column::HostName)
            .all(&self.0)
            .await?
            .into_iter()
            .map(|row| (row.id, row))
            .collect();
        let mut by_application: HashMap<Uuid, Self::Value> = HashMap::new();
        for link in links {
            if let Some(mirror) = mirrors.get(&link.mirror_id) {
                by_application
                    .entry(link.application_id)
                    .or_default()
                    .push(mirror.clone());
            }
        }
        Ok(by_application)
    }
}

/// Loads memberships by id.
pub struct MembershipLoader(pub DatabaseConnection);

impl Loader<Uuid> for MembershipLoader {
    type Value = entity::membership::Model;
    type Error = ApiError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = entity::prelude::Membership::find()
            .filter(entity::membership::Column::Id.is_in(keys.iter().copied()))
            .all(&self.0)
            .await?;
        Ok(rows.into_iter().map(|row| (row.id, row)).collect())
    }
}
