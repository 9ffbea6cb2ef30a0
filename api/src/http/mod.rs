//! The HTTP surface: routes, middleware, and the plain endpoints beside GraphQL.

pub mod cors;
pub mod feeds;
pub mod graphiql;
pub mod graphql;
pub mod log;
pub mod nulls;
pub mod ops;
pub mod request_id;
pub mod tiles;
pub mod unsubscribe;
pub mod witness;
pub mod ws;
pub mod ws_budget;
