//! The HTTP surface: routes, middleware, and the plain endpoints beside GraphQL.

pub mod feeds;
pub mod graphql;
pub mod ops;
pub mod request_id;
pub mod ws;
