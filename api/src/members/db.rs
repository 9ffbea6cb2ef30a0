//! Creating and renewing memberships, re-exported where other domains call it.

pub use crate::members::commands::membership::{
    Grant, Term, create_memberships, grant_membership, months_from,
};
