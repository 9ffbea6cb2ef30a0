//! The live tally: an amendment's vote counts, now and after every change.

use async_graphql::{Context, ID, Subscription};
use futures_util::{Stream, StreamExt};

use crate::{
    amendments::{
        commands::find,
        results::{VoteCounts, vote_counts},
        types::Amendment,
    },
    auth::Viewer,
    error::{ApiError, ApiResult},
    ids::key_of,
    services::Services,
};

#[derive(Default)]
pub struct VoteSubscription;

#[Subscription]
impl VoteSubscription {
    /// The vote counts of an amendment: now, and again after every vote and at the close. Works
    /// across replicas.
    async fn amendment_tally(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The amendment to follow.")] amendment_id: ID,
    ) -> Result<impl Stream<Item = ApiResult<VoteCounts>> + use<>, ApiError> {
        let state = ctx.data::<Services>()?.clone();
        let id = key_of::<Amendment>(&amendment_id, &crate::field!(amendment_id))?;
        let amendment = Amendment(find(&state.db, id).await?);
        if !amendment.visible(Viewer::of(ctx)) {
            return Err(ApiError::not_found("amendment"));
        }
        // Follow first, then read: a change in between reaches the subscriber too. Later counts
        // are computed once per change for all subscribers (see `votes::events`).
        let updates =
            tokio_stream::wrappers::WatchStream::from_changes(state.tally_events.follow(id));
        let first = vote_counts(&state.db, id).await?;
        let later = updates.filter_map(|counts| async move { counts.map(Ok) });
        Ok(futures_util::stream::once(async move { Ok(first) }).chain(later))
    }
}
