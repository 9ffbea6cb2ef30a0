//! Quorum's API: the GraphQL server of a community-owned foundation, as a library that the
//! binary and the tests share.

pub mod accounts;
pub mod amendments;
pub mod audit;
pub mod audit_log;
pub mod auth;
pub mod bench_data;
pub mod bylaws;
pub mod change_feed;
pub mod config;
pub mod db;
pub mod demo;
pub mod elections;
pub mod error;
pub mod holders;
pub mod http;
pub mod ids;
pub mod input;
pub mod jobs;
pub mod limits;
pub mod loaders;
pub mod members;
pub mod metrics;
pub mod mirrors;
pub mod money;
pub mod node;
pub mod notifications;
pub mod observe;
pub mod organizations;
pub mod pagination;
pub mod policy;
pub mod portal;
pub mod public_cache;
pub mod rolls;
pub mod scalar_errors;
pub mod scheduler;
pub mod schema;
pub mod sponsors;
pub mod telemetry;
pub mod time;
pub mod tokens;
pub mod votes;

use std::sync::Arc;

use poem::{Endpoint, EndpointExt, Route, get};
use sea_orm::DatabaseConnection;

use crate::{
    auth::{Viewer, keys::SigningKeys, sealing::ServerSecrets, usage::TokenUsage},
    config::Config,
    elections::events::TurnoutEvents,
    http::graphql::ClientAddress,
    metrics::Metrics,
    public_cache::PublicCache,
    schema::QuorumSchema,
    votes::events::TallyEvents,
};

/// Everything a request needs, shared by all requests of the process.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub config: Arc<Config>,
    pub schema: QuorumSchema,
    pub metrics: Arc<Metrics>,
    pub keys: Arc<SigningKeys>,
    /// Seals webhook secrets at rest and signs unsubscribe links.
    pub secrets: Arc<ServerSecrets>,
    pub tally_events: TallyEvents,
    /// Election turnout, fanned out to subscribers on every replica.
    pub turnout_events: TurnoutEvents,
    /// API token uses, written in the background so that a token's reads never write.
    pub token_usage: TokenUsage,
    /// The notification workers and the daily scheduler of this replica.
    pub jobs: jobs::Jobs,
    /// What anonymous callers read of the sponsor list and the directory.
    pub public_cache: PublicCache,
    /// The schema's output types, to make failed fields null as the GraphQL spec says.
    pub shapes: Arc<http::nulls::Shapes>,
    /// The WebSocket connections and subscriptions this replica carries.
    pub ws_budget: Arc<http::ws_budget::WsBudget>,
}

/// Why the server cannot start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Keys(#[from] auth::keys::KeyError),
    #[error("metrics: {0}")]
    Metrics(#[from] prometheus::Error),
    #[error(transparent)]
    SecretKey(#[from] auth::sealing::BadMasterKey),
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
        let schema = schema::build(&config, metrics.clone());
        let shapes = Arc::new(http::nulls::Shapes::of_sdl(&schema.sdl()));
        Ok(Self {
            jobs: jobs::Jobs::start(config.clone(), metrics.clone(), secrets.clone()),
            secrets,
            schema,
            shapes,
            ws_budget: http::ws_budget::WsBudget::new(
                config.websocket.max_per_address,
                config.websocket.max_total,
            ),
            metrics,
            keys,
            tally_events: votes::events::start(&db),
            turnout_events: elections::events::start(&db),
            token_usage: TokenUsage::start(&db),
            public_cache: PublicCache::start(
                &db,
                config.public_cache,
                public_cache::HeartbeatSettings {
                    interval: config.listen_heartbeat,
                    deadline: config.listen_heartbeat_deadline,
                },
            ),
            config,
            db,
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
        let keep = schema::reads_only(&request);
        schema::register_loaders(&mut request.data, &self.db, keep);
        request
            .data(self.db.clone())
            .data(self.clone())
            .data(viewer)
            .data(address)
    }
}

/// The whole HTTP application, used by `main` and by the tests alike.
pub fn app(state: AppState) -> impl Endpoint {
    let cors = http::cors::CrossOrigin::new(state.config.clone());
    Route::new()
        .at(
            "/graphql",
            http::graphql::GraphqlEndpoint::new(state.clone()),
        )
        .at(
            "/graphql/ws",
            http::ws::WebSocketEndpoint::new(state.clone()),
        )
        .at("/health", get(http::ops::health))
        .at("/ready", get(http::ops::ready))
        .at("/metrics", get(http::ops::metrics))
        .at("/.well-known/jwks.json", get(http::ops::jwks))
        .at(
            "/unsubscribe",
            get(http::unsubscribe::confirm).post(http::unsubscribe::perform),
        )
        .at("/feeds/sponsors.json", get(http::feeds::sponsors_json))
        .at("/feeds/sponsors.csv", get(http::feeds::sponsors_csv))
        .at("/feeds/sponsors.svg", get(http::feeds::sponsors_svg))
        .at(
            "/graphiql/assets/:version/:name",
            get(http::graphiql::asset_file),
        )
        .data(state)
        .with(cors)
        .around(http::request_id::request_id)
}
