//! Accounts: the people who log in.

pub mod loader;
pub mod types;
