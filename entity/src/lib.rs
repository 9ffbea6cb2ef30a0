//! Quorum's database entities: one module per table.

pub mod account;
pub mod prelude;
