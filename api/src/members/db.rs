//! Granting a membership, re-exported for the test factories, which grant one directly.

pub use crate::members::commands::membership::{Grant, Term, grant_membership};
