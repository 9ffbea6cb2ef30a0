//! The policy, read at most once per request however many fields need it.

use std::collections::HashMap;

use async_graphql::{Context, dataloader::Loader};
use entity::governance_policy;
use sea_orm::DatabaseConnection;

use crate::{
    error::{ApiError, ApiResult},
    loaders::cached_loader,
    policy::{POLICY_ID, current},
};

/// Loads the policy row.
pub struct PolicyLoader(pub DatabaseConnection);

impl Loader<i32> for PolicyLoader {
    type Value = governance_policy::Model;
    type Error = ApiError;

    async fn load(&self, _keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        Ok(HashMap::from([(POLICY_ID, current(&self.0).await?)]))
    }
}

/// The policy for the current request.
pub async fn policy(ctx: &Context<'_>) -> ApiResult<governance_policy::Model> {
    cached_loader::<PolicyLoader>(ctx)?
        .load_one(POLICY_ID)
        .await?
        .ok_or_else(|| ApiError::internal("the governance policy row is missing"))
}
