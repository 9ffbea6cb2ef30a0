//! The live turnout of an election: how many voted out of the roll, never partial results.

use async_graphql::{Context, ID, Subscription};
use futures_util::{Stream, StreamExt};

use crate::{
    auth::Viewer,
    elections::{
        events::Turnout, events::turnout, lifecycle::find, types::Election,
        visibility::election_visible,
    },
    error::{ApiError, ApiResult},
    ids::key_of,
    services::Services,
};

#[derive(Default)]
pub struct ElectionSubscription;

#[Subscription]
impl ElectionSubscription {
    /// An election's turnout: now, and again after every ballot and at the close. Turnout only,
    /// never partial results. Works across replicas.
    async fn election_turnout(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The election to follow.")] election_id: ID,
    ) -> Result<impl Stream<Item = ApiResult<Turnout>> + use<>, ApiError> {
        let state = ctx.data::<Services>()?.clone();
        let id = key_of::<Election>(&election_id, &crate::field!(election_id))?;
        let election = find(&state.db, id).await?;
        if !election_visible(&election, Viewer::of(ctx)) {
            return Err(ApiError::not_found("election"));
        }
        // Follow first, then read: a change in between reaches the subscriber too.
        let updates =
            tokio_stream::wrappers::WatchStream::from_changes(state.turnout_events.follow(id));
        let first = turnout(&state.db, id).await?;
        let later = updates.filter_map(|now| async move { now.map(Ok) });
        Ok(futures_util::stream::once(async move { Ok(first) }).chain(later))
    }
}
