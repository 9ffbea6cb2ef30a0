//! The canonical bytes of an audit entry: what its leaf in the Merkle tree log hashes, and what
//! `AuditEvent.leaf` gives (base64) to whoever may read the entry, so that they can recompute the
//! leaf hash, SHA-256(0x00 ‖ bytes), themselves.
//!
//! The bytes are the UTF-8 of these lines joined by `\n`, with no newline at the end:
//! `quorum-audit-entry/v1`, the entry's id (a UUID, lowercase, hyphenated), `occurred_at` (RFC 3339,
//! UTC, microseconds, `Z`), `actor_kind` (`ACCOUNT` or `SYSTEM`), the actor's account UUID (or
//! `-`), `action` (a dotted name such as `role.granted`), `subject_kind` (a GraphQL type name such
//! as `Account`), the subject's UUID, and `summary` (the stored JSON text, which has no newline).

use chrono::SecondsFormat;
use entity::audit_event;
use sea_orm::ActiveEnum;

use super::tree::{Hash, leaf_hash};

/// The first line of every entry's bytes: the format's name and version.
pub const FORMAT: &str = "quorum-audit-entry/v1";

/// An entry's canonical bytes.
pub fn bytes(event: &audit_event::Model) -> Vec<u8> {
    let actor = event
        .actor_id
        .map_or_else(|| "-".to_owned(), |id| id.to_string());
    [
        FORMAT,
        &event.id.to_string(),
        &event
            .occurred_at
            .to_rfc3339_opts(SecondsFormat::Micros, true),
        &event.actor_kind.to_value(),
        &actor,
        &event.action.name(),
        &event.subject_kind.name(),
        &event.subject_id.to_string(),
        &event.summary,
    ]
    .join("\n")
    .into_bytes()
}

/// An entry's leaf hash.
pub fn leaf(event: &audit_event::Model) -> Hash {
    leaf_hash(&bytes(event))
}
