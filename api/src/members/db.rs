//! Creating and renewing memberships, at the path other domains call; the command lives with
//! the membership aggregate.

pub use crate::members::commands::membership::{Grant, Term, grant_membership, months_from};
