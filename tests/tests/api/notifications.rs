//! Notifications: signed webhooks to real receivers on loopback ports, mail to a real SMTP
//! server, the outbox's guarantees across rollbacks, crashes and replicas, and the scheduler.

mod audiences;
mod delivery;
mod endpoints;
mod event_names;
mod mail;
mod scheduler;
mod sequence;
mod signing;
