//! The audit log: every change of state, appended in the same transaction as the change. The
//! sealer puts each committed entry into the Merkle tree log (`crate::log`), which anyone can
//! check with signed checkpoints and proofs.
//!
//! The entries written before the tree log (the *chained* ones, with a `prev_hash`) also form a
//! hash chain, which stays checkable: they are numbered by `seq` from 1 without gaps, and they
//! are the tree's first leaves, in that order. Later entries have an empty `prev_hash`, a `seq`
//! that only orders them as written (with gaps), and as `hash` the hex of their leaf hash.
//!
//! Chain format, for anyone writing an independent check: each chained entry's `hash` is the
//! lowercase hex SHA-256 of these fields joined by `\n`:
//! `prev_hash`, `seq`, `occurred_at` (RFC 3339, UTC, microseconds, `Z`), `actor_kind`,
//! `actor_id` (or `-`), `action`, `subject_kind`, `subject_id`, `summary` (the stored JSON text).
//! The first entry's `prev_hash` is 64 zeros; every later one is the previous entry's `hash`.

pub mod checkpoint;
pub mod tx;

use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};
use entity::{
    audit_event::{self, ActorKind},
    prelude::*,
};
use sea_orm::{
    ActiveEnum, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, Statement,
};
use serde_json::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{
    auth::Viewer,
    error::{ApiError, ApiResult},
    ids,
};

pub use tx::Tx;

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

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

pub use entity::audit_event::{AuditAction, SubjectKind};

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
    /// receipt, see [`Tx::receipt`]).
    id: Uuid,
    entry: Entry,
    occurred_at: chrono::DateTime<Utc>,
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

/// Records an entry as part of the transaction making the change. It is chained onto the log
/// when the transaction commits ([`crate::db::Tx::commit`]), and lost with it on a rollback.
pub async fn record(tx: &Tx, entry: Entry) -> ApiResult<()> {
    tx.stage(Staged {
        id: ids::new_key(),
        entry,
        occurred_at: Utc::now().trunc_subsecs(6),
    });
    Ok(())
}

/// Records an entry as [`record`] does, with only the day it happened: midnight UTC. For a vote
/// in an election, where the time of day would order the voters and, beside the ballots,
/// help tell who voted how.
pub async fn record_on_day(tx: &Tx, entry: Entry) -> ApiResult<()> {
    let now = Utc::now();
    tx.stage(Staged {
        id: ids::new_key(),
        entry,
        occurred_at: now.date_naive().and_time(chrono::NaiveTime::MIN).and_utc(),
    });
    Ok(())
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

/// The hash of an entry, over the fields listed in this module's documentation.
pub fn hash_of(event: &audit_event::Model) -> String {
    let actor_id = event
        .actor_id
        .map_or_else(|| "-".to_owned(), |id| id.to_string());
    let text = [
        event.prev_hash.as_str(),
        &event.seq.to_string(),
        &timestamp(event.occurred_at),
        &event.actor_kind.to_value(),
        &actor_id,
        &event.action.name(),
        &event.subject_kind.name(),
        &event.subject_id.to_string(),
        &event.summary,
    ]
    .join("\n");
    hex::encode(Sha256::digest(text.as_bytes()))
}

fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// The outcome of checking the whole chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainCheck {
    /// How many entries were checked.
    pub checked: u64,
    /// The first entry that does not fit, and why; `None` when the chain is whole.
    pub first_broken: Option<(i64, String)>,
}

/// Walks the hash chain (the entries written before the tree log) from the first entry,
/// recomputing every hash and link.
pub async fn verify_chain(db: &impl ConnectionTrait) -> ApiResult<ChainCheck> {
    const BATCH: u64 = 1000;
    let mut checked = 0;
    let mut expected_prev = GENESIS.to_owned();
    let mut expected_seq = 1;
    loop {
        let events = AuditEvent::find()
            .filter(audit_event::Column::Seq.gte(expected_seq))
            .filter(audit_event::Column::PrevHash.ne(""))
            .order_by_asc(audit_event::Column::Seq)
            .limit(BATCH)
            .all(db)
            .await?;
        if events.is_empty() {
            break;
        }
        for event in &events {
            let broken = |why: &str| {
                Ok(ChainCheck {
                    checked,
                    first_broken: Some((expected_seq, why.to_owned())),
                })
            };
            if event.seq != expected_seq {
                return broken("an entry is missing");
            }
            if event.prev_hash != expected_prev {
                return broken("the link to the previous entry does not match");
            }
            if hash_of(event) != event.hash {
                return broken("the entry was changed after it was written");
            }
            checked += 1;
            expected_seq += 1;
            expected_prev = event.hash.clone();
        }
    }
    let head = AuditHead::find_by_id(1).one(db).await?;
    if let Some(head) = head
        && (head.seq != expected_seq - 1 || head.hash != expected_prev)
    {
        return Ok(ChainCheck {
            checked,
            first_broken: Some((
                head.seq,
                "entries at the end of the log are missing".to_owned(),
            )),
        });
    }
    Ok(ChainCheck {
        checked,
        first_broken: None,
    })
}
