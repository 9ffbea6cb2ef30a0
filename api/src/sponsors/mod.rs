//! Sponsors: tiers, sponsorships, the contributions ledger, the public sponsor list and the
//! activity feed integrations sync from.

pub mod commands;
pub mod consent;
pub mod events;
pub mod follow;
pub mod idempotency;
pub mod list;
pub mod loader;
pub mod mutation;
pub mod period;
pub mod query;
pub mod status;
pub mod tiers;
pub mod totals;
pub mod types;
