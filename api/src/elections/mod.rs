//! Board and elections: the board of record (directorships), elections from nominations to
//! certified seats, secret ranked ballots with receipts, and the count: Meek's method of STV
//! under the Proportional Representation Foundation's reference rule, in fixed point, with the
//! foundation's organization rule and a seeded draw for ties, and the BLT export for recounts.
//! Builds on `members`, `sponsors` and `bylaws` (the influence cap); `votes` reads the board
//! of record from here.

pub mod ballots;
pub mod blt;
pub mod board;
pub mod count;
pub mod eligibility;
pub mod events;
pub mod fixed;
pub mod lifecycle;
pub mod loader;
pub mod mutation;
pub mod node_ids;
pub mod nominations;
pub mod published;
pub mod query;
pub mod record;
pub mod roll;
pub mod subscription;
#[cfg(test)]
mod test_support;
pub mod types;
pub mod visibility;
