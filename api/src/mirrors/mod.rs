//! Mirrors: the hosts that carry the project's files, and their verification by the Technology
//! Committee.

pub mod commands;
pub mod input;
pub mod loader;
pub mod mutation;
pub mod query;
pub mod types;
