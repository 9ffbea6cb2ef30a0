//! The audit log as an RFC 9162 Merkle tree log, with C2SP signed checkpoints
//! (see `docs/log.md`).
//!
//! - `tree.rs`: the tree arithmetic, proofs and their verifiers (no state);
//! - `note.rs`: C2SP signed notes and checkpoints, key ids and verifier keys (no state);
//! - `entry.rs`: an audit entry's canonical bytes, the leaf's content (no state);
//! - `store.rs`: the stored nodes and checkpoints, proofs from O(log n) reads, the self-check;
//! - `tiles.rs`: C2SP `tlog-tiles`, the stored nodes as hash tiles;
//! - `sealer.rs`: the background job that puts committed entries into the tree and signs;
//! - `client.rs`: checking a log from outside (`quorum admin verify-log`);
//! - `witness.rs`: a witness of logs, C2SP tlog-witness (`quorum witness serve`);
//! - `cosigning.rs`: the server's side of witnessing: sending checkpoints to the configured
//!   witnesses and keeping their cosignatures.

pub mod client;
pub mod cosigning;
pub mod entry;
pub mod note;
pub mod sealer;
pub mod store;
pub mod tiles;
pub mod tree;
pub mod witness;
