//! API tokens: scoped, read-only credentials for integrations.

pub mod commands;
pub mod loader;
pub mod mutation;
pub mod query;
pub mod types;
