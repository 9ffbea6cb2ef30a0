//! Trusted documents: the operations a frontend's build registered (`quorum documents push`, or
//! `registerTrustedDocuments`), which requests may name by the SHA-256 of their text instead of
//! sending them, and which `QUORUM_TRUSTED_DOCUMENTS=require` makes the only ones that run.
//!
//! Registrations live in the database (`trusted_documents`), so any replica finds a document
//! another registered; each replica keeps the documents it has read parsed ([`store`]).

pub mod commands;
pub mod mutation;
pub mod store;

pub use store::{DocumentStore, Prepared};
