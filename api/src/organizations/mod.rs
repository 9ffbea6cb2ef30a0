//! Organizations: companies or groups that accounts act for as representatives.

pub mod commands;
pub mod history;
pub mod input;
pub mod loader;
pub mod mutation;
pub mod types;
