//! The GraphQL types of the audit log.

use async_graphql::{Context, ID, Json, Object, SimpleObject};
use base64::{Engine, engine::general_purpose::STANDARD};
use entity::audit_event::{self, ActorKind};

use crate::{
    accounts::{loader::AccountLoader, types::Account},
    config::Config,
    error::{ApiError, ApiResult},
    ids,
    loaders::cached_loader,
    time::DateTime,
    tokens::types::Integration,
};

/// An audit entry row, wrapped so that no column becomes API by accident.
pub struct AuditEvent(pub audit_event::Model);

impl ids::NodeKind for AuditEvent {
    const KIND: &'static str = <ids::kind::AuditEvent as ids::NodeKind>::KIND;
}

/// One recorded change of state: who did what to which object, and when. A receipt: the
/// person it concerns may read it (and its inclusion proof) by its ID; see `auditInclusionProof`.
#[Object]
impl AuditEvent {
    /// The entry's global ID, for `auditInclusionProof` and `node(id:)`, which answer it to
    /// whoever may read the entry.
    pub async fn id(&self) -> ID {
        ids::id_of::<AuditEvent>(self.0.id)
    }

    /// The order the entry was written in: from 1 without gaps for the entries of the hash
    /// chain (before the Merkle tree log); later ones only increase, with gaps.
    async fn sequence(&self) -> String {
        self.0.seq.to_string()
    }

    /// The entry's canonical bytes in base64: its leaf in the Merkle tree log hashes to
    /// SHA-256(0x00 ‖ these bytes). The format is in `docs/log.md`.
    async fn leaf(&self) -> String {
        STANDARD.encode(crate::log::entry::bytes(&self.0))
    }

    /// The entry's leaf index in the Merkle tree log, from 0; null until it is sealed (within
    /// seconds of its commit).
    async fn leaf_index(&self) -> Option<i64> {
        self.0.leaf_index
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

    /// The hash of the previous entry, for an entry of the hash chain; empty for later ones.
    async fn prev_hash(&self) -> &str {
        &self.0.prev_hash
    }

    /// For an entry of the hash chain, its chain hash over its fields and the previous hash;
    /// for a later one, the hex of its leaf hash.
    async fn hash(&self) -> &str {
        &self.0.hash
    }
}

/// The result of re-checking the audit log: the hash chain of the early entries, and every
/// sealed entry against its stored leaf and the latest checkpoint's root.
#[derive(SimpleObject)]
pub struct AuditChainCheck {
    /// True when every entry is present, unchanged, and (in the chain) linked to the one before.
    pub intact: bool,
    /// How many entries were checked before the first break, or in all.
    pub checked_entries: u64,
    /// The sequence number of the first broken entry, when there is one and it is still there.
    pub first_broken_sequence: Option<String>,
    /// The leaf index of the first broken entry of the Merkle tree log, when the break is there.
    pub first_broken_leaf: Option<String>,
    /// Why that entry does not fit.
    pub reason: Option<String>,
}

/// A checkpoint of the Merkle tree log, as stored.
pub struct AuditCheckpoint {
    pub size: u64,
    pub root: [u8; 32],
    pub note: String,
    pub signed_at: chrono::DateTime<chrono::Utc>,
    pub cosignatures: usize,
    pub witnessed: bool,
}

impl AuditCheckpoint {
    /// The checkpoint as served, with its cosignatures, counted against the witnesses
    /// `config` names.
    pub fn of(served: crate::log::cosigning::Served, config: &Config) -> ApiResult<Self> {
        let cosignatures = served.cosigned_by(&config.log_witnesses);
        let row = served.row;
        Ok(Self {
            size: u64::try_from(row.size).map_err(|_| ApiError::internal("a negative size"))?,
            root: crate::log::store::hash_of(&row.root)?,
            note: served.note,
            signed_at: row.signed_at,
            cosignatures,
            witnessed: !config.log_witnesses.is_empty() && cosignatures >= config.witness_quorum(),
        })
    }

    fn note_signature(&self) -> Option<crate::log::note::NoteSignature> {
        crate::log::note::Note::parse(&self.note)
            .ok()
            .and_then(|note| note.signatures.into_iter().next())
    }
}

/// A signed checkpoint of the Merkle tree log: its size and root hash, signed with the server's
/// Ed25519 key as a C2SP signed note (`note`), the same text as `GET /log/checkpoint`. The key
/// is published as a note verifier key at `GET /log/key`. Keep copies: `quorum admin verify-log`
/// proves that a later log extends the one a copy saw.
#[Object]
impl AuditCheckpoint {
    /// How many entries (leaves) the tree held.
    async fn size(&self) -> i64 {
        i64::try_from(self.size).unwrap_or(i64::MAX)
    }

    /// The tree's root hash, base64 (as in the note).
    async fn root_hash(&self) -> String {
        STANDARD.encode(self.root)
    }

    /// The C2SP signed note: `<origin>`, the size and the base64 root on three lines, a blank
    /// line, then `— <key name> <base64(key id ‖ signature)>`.
    async fn note(&self) -> &str {
        &self.note
    }

    /// How many of the witnesses the server sends its checkpoints to (`QUORUM_LOG_WITNESSES`)
    /// cosigned this one, after checking that it extends the last one they cosigned. Their
    /// cosignature lines follow the log's signature in `note`; check them with the witnesses'
    /// verifier keys (`quorum admin verify-log --witness`). A checkpoint signed moments ago
    /// may not carry them yet.
    async fn cosignatures(&self) -> i32 {
        i32::try_from(self.cosignatures).unwrap_or(i32::MAX)
    }

    /// Whether at least `QUORUM_LOG_WITNESS_QUORUM` of the witnesses (by default all of them)
    /// cosigned this checkpoint. Always false when the server names no witness.
    async fn witnessed(&self) -> bool {
        self.witnessed
    }

    /// The tree size, as a string.
    #[graphql(
        deprecation = "The hash chain's checkpoints gave way to the Merkle tree log's: use `size`."
    )]
    async fn sequence(&self) -> String {
        self.size.to_string()
    }

    /// The root hash in hex.
    #[graphql(deprecation = "Use `rootHash` (base64), or the note.")]
    async fn hash(&self) -> String {
        hex::encode(self.root)
    }

    /// When it was signed, RFC 3339 in UTC with microseconds.
    async fn signed_at(&self) -> String {
        self.signed_at
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
    }

    /// The signed-note key id of the signing key, 8 hex digits.
    #[graphql(deprecation = "Read the note: its signature line carries the key id.")]
    async fn key_id(&self) -> String {
        self.note_signature()
            .map(|sig| hex::encode(sig.key_id))
            .unwrap_or_default()
    }

    /// The Ed25519 signature of the note's text, base64url.
    #[graphql(deprecation = "Read the note: its signature line carries the signature.")]
    async fn signature(&self) -> String {
        self.note_signature()
            .map(|sig| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sig.signature))
            .unwrap_or_default()
    }
}

/// The proof that an audit entry is in the Merkle tree log (RFC 9162 section 2.1.3).
#[derive(SimpleObject)]
pub struct AuditInclusionProof {
    /// The entry's leaf index, from 0.
    pub leaf_index: i64,
    /// The size of the tree the proof is for.
    pub tree_size: i64,
    /// The proof's hashes, base64, from the leaf's sibling up.
    pub hashes: Vec<String>,
    /// The signed checkpoint of that tree (a C2SP signed note), whose root the proof leads to.
    pub checkpoint: String,
}

/// The proof that a tree of the Merkle tree log extends an earlier one (RFC 9162 section
/// 2.1.4).
#[derive(SimpleObject)]
pub struct AuditConsistencyProof {
    /// The earlier tree's size.
    pub from_size: i64,
    /// The later tree's size.
    pub to_size: i64,
    /// The proof's hashes, base64.
    pub hashes: Vec<String>,
}

crate::connection!(AuditEventConnection, AuditEventEdge, AuditEvent);
