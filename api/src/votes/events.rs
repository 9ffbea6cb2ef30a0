//! The live tally: an amendment's vote counts, read once per change with aggregate queries and
//! fanned out to its subscribers on every replica (see `change_feed`).

use sea_orm::DatabaseConnection;

use crate::{
    amendments::results::{VoteCounts, vote_counts},
    change_feed::ChangeFeed,
};

/// Amendments' vote counts, keyed by amendment.
pub type TallyEvents = ChangeFeed<VoteCounts>;

/// Starts the live tally, on the PostgreSQL channel `quorum_tally`.
pub fn start(db: &DatabaseConnection) -> TallyEvents {
    ChangeFeed::start(db, "quorum_tally", "tally", |db, amendment| async move {
        vote_counts(&db, amendment).await
    })
}
