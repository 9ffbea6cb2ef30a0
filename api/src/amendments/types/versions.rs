//! Resolves a bylaws version's `amendment` to the `Amendment` object. The bylaws module names
//! the amendment by key only ([`AmendmentRef`]), since this module builds on it; here the key
//! becomes the object, through a loader, so a list of versions costs one statement for all
//! their amendments.

use std::{borrow::Cow, collections::HashMap};

use async_graphql::{
    ContextSelectionSet, OutputType, Positioned, ServerResult, Value, dataloader::Loader,
    parser::types::Field, registry::Registry,
};
use entity::{amendment, prelude::Amendment as Amendments};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::{
    amendments::types::Amendment,
    bylaws::types::AmendmentRef,
    error::{ApiError, ApiResult},
};

/// Loads amendments by id.
pub struct AmendmentLoader(pub DatabaseConnection);

impl Loader<Uuid> for AmendmentLoader {
    type Value = amendment::Model;
    type Error = ApiError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = Amendments::find()
            .filter(amendment::Column::Id.is_in(keys.iter().copied()))
            .all(&self.0)
            .await?;
        Ok(rows.into_iter().map(|row| (row.id, row)).collect())
    }
}

async fn load(ctx: &ContextSelectionSet<'_>, key: Uuid) -> ApiResult<Amendment> {
    let loader = ctx
        .data::<async_graphql::dataloader::DataLoader<AmendmentLoader>>()
        .map_err(|_| ApiError::internal("the amendment loader is not registered"))?;
    loader
        .load_one(key)
        .await?
        .map(Amendment)
        .ok_or_else(|| ApiError::internal("a bylaws version names a missing amendment"))
}

impl OutputType for AmendmentRef {
    fn type_name() -> Cow<'static, str> {
        <Amendment as OutputType>::type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        <Amendment as OutputType>::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        // An adopted amendment is never a draft, so whoever sees the version sees it.
        let amendment = load(ctx, self.0)
            .await
            .map_err(|err| async_graphql::Error::from(err).into_server_error(field.pos))?;
        OutputType::resolve(&amendment, ctx, field).await
    }
}
