//! Amendments: proposals to change the bylaws, their section changes, their discussion, and
//! the results of their votes as an amendment shows them. Votes build on this module.

pub mod authors;
pub mod changes;
pub mod commands;
pub mod loader;
pub mod mutation;
pub mod query;
pub mod results;
pub mod rights;
pub mod rules;
pub mod types;
pub mod visibility;

pub use entity::{
    amendment::{AmendmentStatus, VoteBody},
    amendment_change::ChangeOperation,
};
