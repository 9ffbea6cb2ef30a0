//! Signed checkpoints of the audit chain.
//!
//! The chain shows an edited or missing entry, but not a log cut at its end with the head row
//! reset to match. A checkpoint closes that gap: the head's sequence number and hash, signed with
//! the server's Ed25519 key (its public half is at `/.well-known/jwks.json`). Outsiders keep
//! copies of `auditCheckpoint`; `quorum admin verify-audit --checkpoint FILE` then proves that
//! nothing up to that entry was removed or changed.
//!
//! The signed message is these lines joined by `\n`: `quorum-audit-checkpoint-v1`, the sequence
//! number, the entry's hash, and the signing time (RFC 3339, UTC, microseconds, `Z`).

use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};
use entity::{
    audit_checkpoint,
    prelude::{AuditCheckpoint, AuditEvent, AuditHead},
};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, QueryOrder, Set};
use serde::{Deserialize, Serialize};

use crate::{
    audit::verify_chain,
    auth::keys::SigningKeys,
    error::{ApiError, ApiResult},
    ids,
};

/// A checkpoint as served and as kept in a file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Checkpoint {
    /// The sequence number of the last entry covered, as a string (it may pass 2^53).
    pub sequence: String,
    /// That entry's hash.
    pub hash: String,
    /// When it was signed, RFC 3339 with microseconds.
    pub signed_at: String,
    /// The id of the signing key, as in the JWKS.
    pub key_id: String,
    /// The Ed25519 signature, base64url.
    pub signature: String,
}

impl From<audit_checkpoint::Model> for Checkpoint {
    fn from(row: audit_checkpoint::Model) -> Self {
        Self {
            sequence: row.seq.to_string(),
            hash: row.hash,
            signed_at: timestamp(row.signed_at),
            key_id: row.key_id,
            signature: row.signature,
        }
    }
}

fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn message(sequence: &str, hash: &str, signed_at: &str) -> String {
    ["quorum-audit-checkpoint-v1", sequence, hash, signed_at].join("\n")
}

/// Signs the chain's current head and keeps the checkpoint. Returns `None` while the log is
/// empty or the head is already checkpointed.
pub async fn write(db: &impl ConnectionTrait, keys: &SigningKeys) -> ApiResult<Option<Checkpoint>> {
    let Some(head) = AuditHead::find_by_id(1).one(db).await? else {
        return Ok(None);
    };
    if head.seq == 0 {
        return Ok(None);
    }
    if latest(db)
        .await?
        .is_some_and(|last| last.sequence == head.seq.to_string())
    {
        return Ok(None);
    }
    let signed_at = Utc::now().trunc_subsecs(6);
    let signature =
        keys.sign(message(&head.seq.to_string(), &head.hash, &timestamp(signed_at)).as_bytes());
    let row = audit_checkpoint::ActiveModel {
        id: Set(ids::new_key()),
        seq: Set(head.seq),
        hash: Set(head.hash),
        signed_at: Set(signed_at),
        key_id: Set(keys.kid.clone()),
        signature: Set(signature),
    }
    .insert(db)
    .await?;
    Ok(Some(row.into()))
}

/// The latest checkpoint, if any was written.
pub async fn latest(db: &impl ConnectionTrait) -> ApiResult<Option<Checkpoint>> {
    Ok(AuditCheckpoint::find()
        .order_by_desc(audit_checkpoint::Column::Seq)
        .order_by_desc(audit_checkpoint::Column::SignedAt)
        .one(db)
        .await?
        .map(Checkpoint::from))
}

/// Why the log does not match a checkpoint.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum Mismatch {
    #[error("the checkpoint's signature does not verify with this server's key ({0})")]
    Signature(String),
    #[error("the log holds {held} entries, but a checkpoint saw {seen}: entries were removed")]
    Truncated { held: i64, seen: i64 },
    #[error("entry {0} differs from the one the checkpoint saw: the log was changed")]
    Changed(i64),
    #[error("the chain is broken at entry {0}: {1}")]
    Broken(i64, String),
}

/// Checks the whole chain and that it still holds the checkpoint's entry unchanged.
pub async fn verify(
    db: &impl ConnectionTrait,
    keys: &SigningKeys,
    checkpoint: &Checkpoint,
) -> ApiResult<Result<u64, Mismatch>> {
    let signed = message(
        &checkpoint.sequence,
        &checkpoint.hash,
        &checkpoint.signed_at,
    );
    if checkpoint.key_id != keys.kid || !keys.verify(signed.as_bytes(), &checkpoint.signature) {
        return Ok(Err(Mismatch::Signature(checkpoint.key_id.clone())));
    }
    let seen: i64 = checkpoint.sequence.parse().map_err(|_| {
        ApiError::bad_input("sequence", "the checkpoint's sequence is not a number")
    })?;
    let chain = verify_chain(db).await?;
    if let Some((seq, why)) = chain.first_broken {
        return Ok(Err(Mismatch::Broken(seq, why)));
    }
    let held = i64::try_from(chain.checked).unwrap_or(i64::MAX);
    if held < seen {
        return Ok(Err(Mismatch::Truncated { held, seen }));
    }
    let entry = AuditEvent::find_by_id(seen).one(db).await?;
    if entry.is_none_or(|entry| entry.hash != checkpoint.hash) {
        return Ok(Err(Mismatch::Changed(seen)));
    }
    Ok(Ok(chain.checked))
}
