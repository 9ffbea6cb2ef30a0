//! What resolvers read from the process: the database, the settings, the keys, the metrics and
//! the live feeds. The application's state (`AppState` in `lib.rs`) holds these beside what
//! only the transport needs (the schema, the jobs, the WebSocket budget), and gives each request
//! these alone, so that no resolver imports the application.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::{
    auth::{keys::SigningKeys, sealing::ServerSecrets, usage::TokenUsage, viewer::Authenticator},
    config::Config,
    elections::events::TurnoutEvents,
    metrics::Metrics,
    public_cache::PublicCache,
    votes::events::TallyEvents,
};

/// What a request's resolvers share with every other request of the process.
#[derive(Clone)]
pub struct Services {
    pub db: DatabaseConnection,
    pub config: Arc<Config>,
    pub metrics: Arc<Metrics>,
    pub keys: Arc<SigningKeys>,
    /// Seals webhook secrets at rest and signs unsubscribe links.
    pub secrets: Arc<ServerSecrets>,
    pub tally_events: TallyEvents,
    /// Election turnout, fanned out to subscribers on every replica.
    pub turnout_events: TurnoutEvents,
    /// API token uses, written in the background so that a token's reads never write.
    pub token_usage: TokenUsage,
    /// What anonymous callers read of the sponsor list and the directory.
    pub public_cache: PublicCache,
}

impl Services {
    /// What reading a request's viewer needs.
    pub fn authenticator(&self) -> Authenticator<'_> {
        Authenticator {
            db: &self.db,
            keys: &self.keys,
            token_usage: &self.token_usage,
            cache: &self.public_cache,
        }
    }
}
