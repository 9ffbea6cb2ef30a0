//! Voting on amendments: the frozen roll, opening, casting and closing, and the live tally.
//! Builds on `amendments` and `bylaws`; neither depends on it.

pub mod commands;
pub mod events;
pub mod mutation;
pub mod notices;
pub mod roll;
pub mod subscription;

pub use entity::amendment_vote::VoteChoice;
