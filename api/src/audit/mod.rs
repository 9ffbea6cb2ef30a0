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
pub mod entry;
pub mod tx;

use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};
use entity::{audit_event, prelude::*};
use sea_orm::{
    ActiveEnum, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use sha2::{Digest, Sha256};

use crate::{error::ApiResult, ids};

pub use entry::{Actor, Entry, Staged};
pub use tx::Tx;

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

pub use entity::audit_event::{AuditAction, SubjectKind};

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
