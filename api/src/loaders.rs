//! The DataLoader accessor. Each domain keeps its loaders beside its types; `schema.rs`
//! registers one fresh instance of each for every request, so a cached row never outlives the
//! request that read it and nothing depends on process-local state across requests.

use async_graphql::{Context, dataloader::DataLoader};

use crate::error::{ApiError, ApiResult};

/// The loader `L` of the current request.
pub fn loader<'a, L: Send + Sync + 'static>(ctx: &Context<'a>) -> ApiResult<&'a DataLoader<L>> {
    ctx.data::<DataLoader<L>>()
        .map_err(|_| ApiError::internal("a DataLoader was not registered for this request"))
}
