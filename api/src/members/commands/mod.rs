//! Every change of state in membership: the application and membership aggregates.

pub mod application;
pub mod follow;
pub mod membership;
