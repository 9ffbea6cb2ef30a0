//! The GraphQL types of the audit log.

use async_graphql::{ID, Object, SimpleObject};
use entity::audit_event;

use crate::{ids, time::DateTime};

/// An audit entry row, wrapped so that no column becomes API by accident.
pub struct AuditEvent(pub audit_event::Model);

/// One recorded change of state: who did what to which object, and when.
#[Object]
impl AuditEvent {
    /// The entry's position in the chain, from 1.
    async fn sequence(&self) -> String {
        self.0.seq.to_string()
    }

    /// When the change happened.
    async fn occurred_at(&self) -> DateTime {
        self.0.occurred_at.into()
    }

    /// `ACCOUNT` for a person, `SYSTEM` for the operator's command line.
    async fn actor_kind(&self) -> &str {
        &self.0.actor_kind
    }

    /// The global ID of the account that made the change, when a person did.
    async fn actor_id(&self) -> Option<ID> {
        self.0.actor_id.map(|id| ids::encode("Account", id))
    }

    /// What happened, such as `role.granted`.
    async fn action(&self) -> &str {
        &self.0.action
    }

    /// The type of the object changed, such as `Account`.
    async fn subject_kind(&self) -> &str {
        &self.0.subject_kind
    }

    /// The global ID of the object changed.
    async fn subject_id(&self) -> ID {
        ids::encode(&self.0.subject_kind, self.0.subject_id)
    }

    /// What changed, as a JSON object in text.
    async fn summary(&self) -> &str {
        &self.0.summary
    }

    /// The hash of the previous entry.
    async fn prev_hash(&self) -> &str {
        &self.0.prev_hash
    }

    /// This entry's hash, over its fields and the previous hash.
    async fn hash(&self) -> &str {
        &self.0.hash
    }
}

/// The result of re-checking the whole audit chain.
#[derive(SimpleObject)]
pub struct AuditChainCheck {
    /// True when every entry is present, unchanged and linked to the one before.
    pub intact: bool,
    /// How many entries were checked before the first break, or in all.
    pub checked_entries: u64,
    /// The sequence number of the first broken entry, when there is one.
    pub first_broken_sequence: Option<String>,
    /// Why that entry does not fit.
    pub reason: Option<String>,
}

crate::connection!(AuditEventConnection, AuditEventEdge, AuditEvent);
