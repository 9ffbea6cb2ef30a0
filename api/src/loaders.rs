//! The DataLoader accessor. Each domain keeps its loaders beside its types; `schema.rs`
//! registers one fresh instance of each for every request, so a cached row never outlives the
//! request that read it and nothing depends on process-local state across requests.

use async_graphql::{
    Context,
    dataloader::{DataLoader, HashMapCache},
};

use crate::error::{ApiError, ApiResult};

/// The loader `L` of the current request.
pub fn loader<'a, L: Send + Sync + 'static>(ctx: &Context<'a>) -> ApiResult<&'a DataLoader<L>> {
    ctx.data::<DataLoader<L>>()
        .map_err(|_| ApiError::internal("a DataLoader was not registered for this request"))
}

/// The request's DataLoader of type `L` that keeps what it loaded for the rest of the request,
/// for values several fields of one object read.
pub fn cached_loader<'a, L: Send + Sync + 'static>(
    ctx: &Context<'a>,
) -> ApiResult<&'a DataLoader<L, HashMapCache>> {
    ctx.data::<DataLoader<L, HashMapCache>>()
        .map_err(|_| ApiError::internal("a DataLoader was not registered for this request"))
}
