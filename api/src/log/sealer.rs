//! The sealer: puts committed audit entries into the Merkle tree log and signs a checkpoint.
//!
//! Every replica runs it every `QUORUM_LOG_SEAL_INTERVAL_MS`; on PostgreSQL a round runs only in
//! the replica that gets its transaction-scoped advisory lock at once, so one replica at a time
//! seals, and any other takes over in the next round when that one stops. (On SQLite the write
//! transaction serializes rounds.) Writers never wait for it: a command's transaction only
//! inserts its entry.
//!
//! Order: a round takes every entry committed and not yet sealed, in the order of `seq` (the
//! order they were written), and gives them the next leaf indexes. An entry whose transaction
//! was still open when a round ran goes into a later round, after entries written after it.
//! So leaves are ordered as sealed; each entry carries the time it was written (`occurred_at`).

use std::{sync::Arc, time::Duration};

use chrono::{SubsecRound, Utc};
use entity::{
    audit_event, log_checkpoint, log_node,
    prelude::{AuditEvent, LogNode},
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

use super::{
    note::{Checkpoint, Note, NoteSignature, key_id, verifier_key},
    store,
    tree::{Edge, Range},
};
use crate::{
    auth::keys::SigningKeys,
    db::{Tx, begin_private_write},
    error::{ApiError, ApiResult},
};

/// The log's name and the key that signs its checkpoints.
#[derive(Clone)]
pub struct LogSigner {
    /// The checkpoint's origin line, also the key's name.
    pub origin: String,
    keys: Arc<SigningKeys>,
}

impl LogSigner {
    /// The signer for the log `origin`, with the server's Ed25519 key.
    pub fn new(origin: String, keys: Arc<SigningKeys>) -> Self {
        Self { origin, keys }
    }

    /// The note verifier key members configure: `<origin>+<hex key id>+<base64 key>`.
    pub fn verifier_key(&self) -> String {
        verifier_key(&self.origin, &self.keys.public_key())
    }

    /// The signed note of `checkpoint`.
    pub fn sign(&self, checkpoint: &Checkpoint) -> String {
        let text = checkpoint.text();
        let signature = self.keys.sign_raw(text.as_bytes());
        Note {
            text,
            signatures: vec![NoteSignature {
                name: self.origin.clone(),
                key_id: key_id(&self.origin, &self.keys.public_key()),
                signature: signature.to_vec(),
            }],
        }
        .render()
    }
}

/// How many entries one round seals at most; a longer backlog (the hash chain's entries, at the
/// first start) takes several rounds in a row.
const BATCH: u64 = 5_000;

/// The advisory lock's key.
const LOCK: &str = "log.sealer";

/// What a round did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sealed {
    /// The tree's size after the round.
    pub size: u64,
    /// How many entries it added.
    pub added: u64,
}

/// One round: seals up to [`BATCH`] committed entries and signs the new tree. `None` when
/// another replica holds the lock, or there was nothing to seal and a checkpoint exists.
pub async fn seal_once(db: &DatabaseConnection, signer: &LogSigner) -> ApiResult<Option<Sealed>> {
    // A cheap read first, so that an idle log takes no write lock (SQLite) every round.
    let pending = AuditEvent::find()
        .select_only()
        .column(audit_event::Column::Seq)
        .filter(audit_event::Column::LeafIndex.is_null())
        .limit(1)
        .into_tuple::<i64>()
        .one(db)
        .await?
        .is_some();
    if !pending && store::latest(db).await?.is_some() {
        return Ok(None);
    }
    let tx = begin_private_write(db).await?;
    if !crate::db::try_lock_key(&tx, LOCK).await? {
        tx.rollback().await?;
        return Ok(None);
    }
    let sealed = seal_in(&tx, signer).await?;
    tx.commit().await?;
    Ok(sealed)
}

/// Seals every committed entry, round after round; what the last round did.
pub async fn seal_all(db: &DatabaseConnection, signer: &LogSigner) -> ApiResult<Option<Sealed>> {
    let mut last = None;
    while let Some(round) = seal_once(db, signer).await? {
        last = Some(round);
        if round.added < BATCH {
            break;
        }
    }
    Ok(last)
}

async fn seal_in(tx: &Tx, signer: &LogSigner) -> ApiResult<Option<Sealed>> {
    let latest = store::latest(tx).await?;
    let size = latest
        .as_ref()
        .map_or(Ok(0), |row| u64::try_from(row.size))
        .map_err(|_| ApiError::internal("a negative tree size"))?;
    let entries = AuditEvent::find()
        .filter(audit_event::Column::LeafIndex.is_null())
        .order_by_asc(audit_event::Column::Seq)
        .limit(BATCH)
        .all(tx)
        .await?;
    if entries.is_empty() && latest.is_some() {
        return Ok(None);
    }
    let edge_nodes = Range {
        start: 0,
        end: size,
    }
    .nodes();
    let found = store::nodes(tx, &edge_nodes).await?;
    let mut edge = Edge::new(size, edge_nodes.iter().map(|node| found[node]).collect())
        .ok_or_else(|| ApiError::internal("the log's right edge does not fit its size"))?;
    let mut made = Vec::new();
    let mut assigned = Vec::with_capacity(entries.len());
    for entry in &entries {
        assigned.push((entry.seq, edge.size()));
        made.extend(edge.push(super::entry::leaf(entry)));
    }
    for chunk in assigned.chunks(500) {
        // One statement per chunk: `CASE seq WHEN … THEN …`, integers only.
        let cases: String = chunk
            .iter()
            .map(|(seq, index)| format!(" WHEN {seq} THEN {index}"))
            .collect();
        let seqs: Vec<String> = chunk.iter().map(|(seq, _)| seq.to_string()).collect();
        tx.execute_unprepared(&format!(
            "UPDATE audit_events SET leaf_index = CASE seq{cases} END \
             WHERE seq IN ({}) AND leaf_index IS NULL",
            seqs.join(",")
        ))
        .await?;
    }
    let rows: Vec<log_node::ActiveModel> = made
        .iter()
        .map(|(node, hash)| {
            Ok(log_node::ActiveModel {
                level: Set(i16::from(node.level)),
                idx: Set(i64::try_from(node.index)
                    .map_err(|_| ApiError::internal("a node index past i64"))?),
                hash: Set(hash.to_vec()),
            })
        })
        .collect::<ApiResult<_>>()?;
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<_> = rows.by_ref().take(2_000).collect();
        LogNode::insert_many(chunk).exec(tx).await?;
    }
    let checkpoint = Checkpoint {
        origin: signer.origin.clone(),
        size: edge.size(),
        root: edge.root(),
    };
    log_checkpoint::ActiveModel {
        size: Set(i64::try_from(checkpoint.size)
            .map_err(|_| ApiError::internal("a tree size past i64"))?),
        root: Set(checkpoint.root.to_vec()),
        note: Set(signer.sign(&checkpoint)),
        signed_at: Set(Utc::now().trunc_subsecs(6)),
    }
    .insert(tx)
    .await?;
    Ok(Some(Sealed {
        size: edge.size(),
        added: entries.len() as u64,
    }))
}

/// Seals every `interval`, until the task is aborted. A failed round is logged and retried.
pub async fn run(db: DatabaseConnection, signer: LogSigner, interval: Duration) {
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        if let Err(err) = seal_all(&db, &signer).await {
            tracing::warn!(error = %err, "could not seal the audit log; will retry");
        }
    }
}

/// Whether the latest checkpoint covers every committed entry: what a test polls for.
pub async fn caught_up(db: &impl ConnectionTrait) -> ApiResult<bool> {
    use sea_orm::PaginatorTrait;
    let pending = AuditEvent::find()
        .filter(audit_event::Column::LeafIndex.is_null())
        .count(db)
        .await?;
    let sealed = AuditEvent::find()
        .filter(audit_event::Column::LeafIndex.is_not_null())
        .count(db)
        .await?;
    let latest = store::latest(db).await?;
    Ok(pending == 0 && latest.is_some_and(|row| u64::try_from(row.size).ok() == Some(sealed)))
}
