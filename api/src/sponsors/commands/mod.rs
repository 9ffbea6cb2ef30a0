//! Every change to sponsor data, one function per change: tiers, sponsorships, contributions.
//! Resolvers, demo data and the CLI call these, so each rule lives here once.

pub mod contribution;
pub mod sponsorship;
pub mod tier;
