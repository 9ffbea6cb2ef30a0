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
pub mod client_address;
pub mod config;
pub mod db;
pub mod demo;
pub mod documents;
pub mod elections;
pub mod engine_errors;
pub mod error;
pub mod holders;
pub mod http;
pub mod ids;
pub mod input;
pub mod jobs;
pub mod limits;
pub mod loaders;
pub mod log;
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
pub mod public_change;
pub mod resolve;
pub mod rolls;
pub mod scalar_errors;
pub mod scheduler;
pub mod schema;
pub mod services;
pub mod sponsors;
pub mod state;
pub mod telemetry;
pub mod time;
pub mod tokens;
pub mod votes;

use poem::{Endpoint, EndpointExt, Route, get};

pub use crate::state::{AppState, StartError};

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
        .at("/log/checkpoint", get(http::log::latest_checkpoint))
        .at("/log/key", get(http::log::verifier_key))
        .at("/log/proof/inclusion", get(http::log::inclusion))
        .at("/log/proof/consistency", get(http::log::consistency))
        .at("/log/tile/*path", get(http::tiles::tile))
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
