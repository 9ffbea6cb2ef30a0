//! Board and elections: the board of record (directorships), elections from nominations to
//! certified seats, secret ranked ballots with receipts, and the count: Meek's method of STV
//! under the Proportional Representation Foundation's reference rule, in fixed point, with the
//! foundation's organization rule and a seeded draw for ties, and the BLT export for recounts.
//! Builds on `members`, `sponsors` and `bylaws` (the influence cap); `votes` reads the board
//! of record from here.
//!
//! Imports run one way, top to bottom, and no two files import each other:
//! - GraphQL: `query`, `mutation`, `subscription`, `types/`, `loader`, and `events` (the live
//!   turnout);
//! - commands: `lifecycle/` (the election's life, one file a step, on the lock, transition and
//!   audit of `lifecycle/mod.rs`), `nominations`, `ballots`;
//! - the rules and reads they share: `eligibility` (who may stand, and why not), `visibility`,
//!   `published` (the published ballots, their BLT export and the count over them), `roll`,
//!   `record` (what an election stores as JSON), `node_ids`, and the board of record (`board/`);
//! - the arithmetic, with no database: `count` (Meek STV), `blt`, `fixed`.

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
pub mod recusal;
pub mod roll;
pub mod subscription;
#[cfg(test)]
mod test_support;
pub mod types;
pub mod visibility;
