//! Election turnout, read once per change and fanned out to subscribers on every replica (see
//! `change_feed`), on a channel of its own. Only the turnout travels: who voted and what was
//! voted never do.

use async_graphql::SimpleObject;
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use crate::change_feed::ChangeFeed;

/// Elections' turnout, keyed by election.
pub type TurnoutEvents = ChangeFeed<Turnout>;

/// Starts the live turnout, on the PostgreSQL channel `quorum_turnout`.
pub fn start(db: &DatabaseConnection) -> TurnoutEvents {
    ChangeFeed::start(db, "quorum_turnout", "turnout", |db, election| async move {
        turnout(&db, election).await
    })
}

/// The turnout of an election now: roll entries that voted, and the roll's size.
pub async fn turnout(db: &DatabaseConnection, election: Uuid) -> crate::error::ApiResult<Turnout> {
    let row = crate::elections::lifecycle::find(db, election).await?;
    let roll_size = crate::elections::record::FrozenRules::parse(row.rules.as_deref())
        .map_or(0, |r| r.roll_size);
    let voted = crate::elections::roll::voted(db, election).await?;
    Ok(Turnout { voted, roll_size })
}

/// How many have voted, never how.
#[derive(SimpleObject, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(name = "ElectionTurnout")]
pub struct Turnout {
    /// Roll entries that cast a ballot.
    pub voted: u64,
    /// Entries on the roll (0 before voting opens).
    pub roll_size: u64,
}
