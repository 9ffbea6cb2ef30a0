//! Membership: the three classes, applications and their review, and the member directory.

pub mod classes;
pub mod commands;
pub mod db;
pub mod events;
pub mod loader;
pub mod mutation;
pub mod query;
pub mod reminders;
pub mod rules;
pub mod status;
pub mod types;
