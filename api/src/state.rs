//! The application's state: what every request of the process shares, built once at start.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::{
    auth::{Viewer, keys::SigningKeys, sealing::ServerSecrets, usage::TokenUsage},
    client_address::ClientAddress,
    config::Config,
    metrics::Metrics,
    public_cache::PublicCache,
    schema::QuorumSchema,
    services::Services,
};

/// Everything the process shares between requests: what resolvers read (`Services`, which this
/// dereferences to) and what only the transport needs.
#[derive(Clone)]
pub struct AppState {
    pub services: Services,
    pub schema: QuorumSchema,
    /// The notification workers and the daily scheduler of this replica.
    pub jobs: crate::jobs::Jobs,
    /// The schema's output types, to make failed fields null as the GraphQL spec says.
    pub shapes: Arc<crate::http::nulls::Shapes>,
    /// The WebSocket connections and subscriptions this replica carries.
    pub ws_budget: Arc<crate::http::ws_budget::WsBudget>,
    /// The trusted documents this replica has read, parsed.
    pub documents: crate::documents::DocumentStore,
}

impl std::ops::Deref for AppState {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.services
    }
}

/// Why the server cannot start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Keys(#[from] crate::auth::keys::KeyError),
    #[error("metrics: {0}")]
    Metrics(#[from] prometheus::Error),
    #[error(transparent)]
    SecretKey(#[from] crate::auth::sealing::BadMasterKey),
}

impl AppState {
    /// Builds the state over an open, migrated database.
    pub fn new(config: Config, db: DatabaseConnection) -> Result<Self, StartError> {
        let metrics = Arc::new(Metrics::new()?);
        let keys = Arc::new(SigningKeys::load_or_create(&config)?);
        let secrets = Arc::new(match &config.secret_key {
            Some(key) => ServerSecrets::new(&ServerSecrets::parse_master(&key.0)?),
            None => ServerSecrets::new(&keys.secret_bytes()),
        });
        let config = Arc::new(config);
        let schema = crate::schema::build(&config, metrics.clone());
        let shapes = Arc::new(crate::http::nulls::Shapes::of_sdl(&schema.sdl()));
        Ok(Self {
            jobs: crate::jobs::Jobs::start(
                config.clone(),
                metrics.clone(),
                secrets.clone(),
                keys.clone(),
            ),
            schema,
            shapes,
            ws_budget: crate::http::ws_budget::WsBudget::new(
                config.websocket.max_per_address,
                config.websocket.max_total,
            ),
            documents: crate::documents::DocumentStore::default(),
            services: Services {
                secrets,
                metrics,
                keys,
                tally_events: crate::votes::events::start(&db),
                turnout_events: crate::elections::events::start(&db),
                token_usage: TokenUsage::start(&db),
                public_cache: PublicCache::start(
                    &db,
                    config.public_cache,
                    crate::public_cache::HeartbeatSettings {
                        interval: config.listen_heartbeat,
                        deadline: config.listen_heartbeat_deadline,
                    },
                ),
                config,
                db,
            },
        })
    }

    /// Attaches what one GraphQL request runs with: the state, the viewer, the caller's address
    /// and fresh loaders.
    pub fn request_data(
        &self,
        request: async_graphql::Request,
        viewer: Viewer,
        address: ClientAddress,
    ) -> async_graphql::Request {
        let mut request = request;
        let keep = crate::schema::reads_only(&mut request);
        crate::schema::register_loaders(&mut request.data, &self.db, keep);
        request
            .data(self.db.clone())
            .data(self.services.clone())
            .data(viewer)
            .data(address)
    }
}
