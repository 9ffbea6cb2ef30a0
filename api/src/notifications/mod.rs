//! Notifications: the transactional outbox, signed webhooks to integrations, and mail to
//! people. Commands call [`outbox::emit`] and [`mail::queue`] inside their transaction; the
//! [`worker`] in every replica sends what is due.

pub mod address;
pub mod audience;
pub mod delivery;
pub mod endpoints;
pub mod loader;
pub mod mail;
pub mod mailer;
pub mod mailing;
pub mod mutation;
pub mod outbox;
pub mod preferences;
pub mod query;
pub mod queue;
pub mod stats;
pub mod types;
pub mod unsubscribe;
pub mod worker;
