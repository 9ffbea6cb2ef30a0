//! The bylaws as a document: versioned text, its import, diffs, and the voting arithmetic the
//! bylaws prescribe. Amendments and votes build on this module, never the reverse.

pub mod commands;
pub mod db;
pub mod mutation;
pub mod query;
pub mod tally;
pub mod text;
pub mod types;
