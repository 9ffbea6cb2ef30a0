//! The GraphQL types of the audit log.

use async_graphql::{Context, ID, Json, Object, SimpleObject};
use entity::audit_event::{self, ActorKind};

use crate::{
    accounts::{loader::AccountLoader, types::Account},
    error::{ApiError, ApiResult},
    ids,
    loaders::cached_loader,
    time::DateTime,
    tokens::types::Integration,
};

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

    /// A person, an integration, or the operator at the command line.
    async fn actor_kind(&self) -> ActorKind {
        self.0.actor_kind
    }

    /// The account that made the change, when a person did.
    async fn actor(&self, ctx: &Context<'_>) -> ApiResult<Option<Account>> {
        let Some(id) = self
            .0
            .actor_id
            .filter(|_| self.0.actor_kind == ActorKind::Account)
        else {
            return Ok(None);
        };
        Ok(cached_loader::<AccountLoader>(ctx)?
            .load_one(id)
            .await?
            .map(Account::new))
    }

    /// The global ID of the account that made the change, when a person did (`actor { id }`).
    async fn actor_id(&self) -> Option<ID> {
        self.0
            .actor_id
            .filter(|_| self.0.actor_kind == ActorKind::Account)
            .map(ids::id_of::<Account>)
    }

    /// The global ID of the integration that made the change, when one did.
    async fn actor_integration_id(&self) -> Option<ID> {
        self.0
            .actor_id
            .filter(|_| self.0.actor_kind == ActorKind::Integration)
            .map(ids::id_of::<Integration>)
    }

    /// What happened, as a stable dotted name such as `role.granted`.
    async fn action(&self) -> String {
        self.0.action.name()
    }

    /// The type of the object changed, such as `Account`.
    async fn subject_kind(&self) -> String {
        self.0.subject_kind.name()
    }

    /// The global ID of the object changed.
    async fn subject_id(&self) -> ID {
        ids::encode(&self.0.subject_kind.name(), self.0.subject_id)
    }

    /// What changed, as a JSON object. The hash covers its exact stored text.
    async fn summary(&self) -> ApiResult<Json<serde_json::Value>> {
        serde_json::from_str(&self.0.summary)
            .map(Json)
            .map_err(|err| {
                ApiError::internal(format!(
                    "audit entry {} has a summary that is not JSON: {err}",
                    self.0.seq
                ))
            })
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

/// The audit chain's head at a moment, signed with the server's Ed25519 key (the key in
/// `/.well-known/jwks.json`). Keep copies: `quorum admin verify-audit --checkpoint FILE` proves
/// that no entry up to it was later removed or changed.
#[derive(SimpleObject)]
pub struct AuditCheckpoint {
    /// The sequence number of the last entry covered.
    pub sequence: String,
    /// That entry's hash.
    pub hash: String,
    /// When it was signed, RFC 3339 in UTC with microseconds, exactly as signed.
    pub signed_at: String,
    /// The id (`kid`) of the signing key in the JWKS.
    pub key_id: String,
    /// The Ed25519 signature, base64url, over `quorum-audit-checkpoint-v1`, the sequence, the
    /// hash and the signing time, joined by newlines.
    pub signature: String,
}

impl From<crate::audit::checkpoint::Checkpoint> for AuditCheckpoint {
    fn from(c: crate::audit::checkpoint::Checkpoint) -> Self {
        Self {
            sequence: c.sequence,
            hash: c.hash,
            signed_at: c.signed_at,
            key_id: c.key_id,
            signature: c.signature,
        }
    }
}

crate::connection!(AuditEventConnection, AuditEventEdge, AuditEvent);
