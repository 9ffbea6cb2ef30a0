//! Accounts: the people who log in, their sessions and their roles.

pub mod commands;
pub mod db;
pub mod input;
pub mod loader;
pub mod mutation;
pub mod query;
pub mod types;
