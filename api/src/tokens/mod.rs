//! Machine credentials: a person's scoped, read-only API tokens, and integrations, which
//! belong to the foundation or an organization and rotate their secrets with an overlap.

pub mod commands;
pub mod integrations;
pub mod loader;
pub mod mutation;
pub mod query;
pub mod types;
