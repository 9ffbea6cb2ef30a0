//! Bylaws and amendments: versioned text, proposals, weighted votes and atomic adoption.

pub mod amendments;
pub mod db;
pub mod events;
pub mod mutation;
pub mod query;
pub mod tally;
pub mod text;
pub mod types;
pub mod votes;
