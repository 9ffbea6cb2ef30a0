//! One audit entry: who did what to what, and how the entries a transaction staged are inserted
//! at its commit. The write transaction (`tx.rs`) calls [`append`]; recording (`mod.rs`) stages.

use chrono::{DateTime, Utc};
use entity::{
    audit_event::{self, ActorKind, AuditAction, SubjectKind},
    prelude::*,
};
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait, Set, Statement};
use serde_json::Value;
use uuid::Uuid;

use crate::{
    auth::Viewer,
    error::{ApiError, ApiResult},
};

/// Who made a change.
#[derive(Clone, Copy, Debug)]
pub enum Actor {
    /// A logged-in person.
    Account(Uuid),
    /// The operator, from the command line.
    System,
    /// An integration, through one of its secrets.
    Integration(Uuid),
}

impl Actor {
    /// The actor behind a request's viewer.
    pub fn of(viewer: &Viewer) -> Self {
        if let Some(grant) = viewer.integration() {
            return Actor::Integration(grant.id);
        }
        viewer.account_id().map_or(Actor::System, Actor::Account)
    }

    fn parts(self) -> (ActorKind, Option<Uuid>) {
        match self {
            Actor::Account(id) => (ActorKind::Account, Some(id)),
            Actor::System => (ActorKind::System, None),
            Actor::Integration(id) => (ActorKind::Integration, Some(id)),
        }
    }
}

/// One change to record.
pub struct Entry {
    pub actor: Actor,
    /// What happened.
    pub action: AuditAction,
    /// The kind of thing it happened to.
    pub subject_kind: SubjectKind,
    pub subject_id: Uuid,
    /// What changed, as a JSON object.
    pub summary: Value,
}

/// An entry recorded by a command, waiting for its transaction's commit to be chained.
pub struct Staged {
    /// The entry's id, chosen when it is recorded so that a command's payload can name it (a
    /// receipt, see `Tx::receipt`).
    pub(super) id: Uuid,
    pub(super) entry: Entry,
    pub(super) occurred_at: DateTime<Utc>,
}

impl Staged {
    /// Whether the entry is about `kind` `id`.
    pub(crate) fn is_about(&self, kind: SubjectKind, id: Uuid) -> bool {
        self.entry.subject_kind == kind && self.entry.subject_id == id
    }

    /// The entry's id.
    pub(crate) fn id(&self) -> Uuid {
        self.id
    }
}

/// Inserts staged entries, just before their transaction commits.
///
/// Nothing shared is touched: each entry takes its `seq` from a sequence (PostgreSQL), which no
/// transaction holds, and no leaf index. The sealer (`crate::log::sealer`) puts committed entries
/// into the Merkle tree log in the order it finds them. Before the tree log every commit bumped a
/// one-row head here, and a replica frozen while holding it stopped every writer of every
/// replica until its session ended. On SQLite one writer runs at a time anyway, and the next
/// `seq` is `MAX(seq) + 1`.
pub(crate) async fn append(tx: &DatabaseTransaction, staged: Vec<Staged>) -> ApiResult<()> {
    if staged.is_empty() {
        return Ok(());
    }
    let seqs = next_seqs(tx, staged.len()).await?;
    let mut rows = Vec::with_capacity(staged.len());
    for (
        seq,
        Staged {
            id,
            entry,
            occurred_at,
        },
    ) in seqs.into_iter().zip(staged)
    {
        let (actor_kind, actor_id) = entry.actor.parts();
        let mut event = audit_event::Model {
            seq,
            id,
            occurred_at,
            actor_kind,
            actor_id,
            action: entry.action,
            subject_kind: entry.subject_kind,
            subject_id: entry.subject_id,
            summary: entry.summary.to_string(),
            prev_hash: String::new(),
            hash: String::new(),
            leaf_index: None,
        };
        event.hash = hex::encode(crate::log::entry::leaf(&event));
        rows.push(audit_event::ActiveModel {
            seq: Set(event.seq),
            id: Set(event.id),
            occurred_at: Set(event.occurred_at),
            actor_kind: Set(event.actor_kind),
            actor_id: Set(event.actor_id),
            action: Set(event.action),
            subject_kind: Set(event.subject_kind),
            subject_id: Set(event.subject_id),
            summary: Set(event.summary),
            prev_hash: Set(event.prev_hash),
            hash: Set(event.hash),
            leaf_index: Set(None),
        });
    }
    // In chunks: thousands of entries in one statement would pass the backends' limits on
    // bound parameters (12 a row).
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<_> = rows.by_ref().take(2_000).collect();
        AuditEvent::insert_many(chunk).exec(tx).await?;
    }
    Ok(())
}

/// `count` fresh values of `seq`: from the `audit_events_seq` sequence on PostgreSQL (not
/// necessarily consecutive, and with gaps where a transaction rolled back), after the largest
/// on SQLite, whose write lock the transaction holds.
async fn next_seqs(tx: &DatabaseTransaction, count: usize) -> ApiResult<Vec<i64>> {
    let count = i64::try_from(count).map_err(|_| ApiError::internal("too many audit entries"))?;
    if tx.get_database_backend() == DbBackend::Postgres {
        let rows = tx
            .query_all_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT nextval('audit_events_seq') AS seq FROM generate_series(1, $1)",
                [count.into()],
            ))
            .await?;
        let mut seqs = rows
            .iter()
            .map(|row| row.try_get::<i64>("", "seq"))
            .collect::<Result<Vec<_>, _>>()?;
        seqs.sort_unstable();
        return Ok(seqs);
    }
    let row = tx
        .query_one_raw(Statement::from_string(
            tx.get_database_backend(),
            "SELECT COALESCE(MAX(seq), 0) AS seq FROM audit_events",
        ))
        .await?
        .ok_or_else(|| ApiError::internal("MAX(seq) returned no row"))?;
    let last: i64 = row.try_get("", "seq")?;
    Ok((last + 1..=last + count).collect())
}
