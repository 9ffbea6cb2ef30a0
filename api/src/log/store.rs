//! Reading the Merkle tree log from the database: stored nodes, checkpoints, and proofs built
//! from O(log n) node reads.

use std::collections::HashMap;

use entity::{
    audit_event, log_checkpoint, log_node,
    prelude::{AuditEvent, LogCheckpoint, LogNode},
};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::tree::{self, Hash, Node, Range};
use crate::error::{ApiError, ApiResult};

/// The latest signed checkpoint, if the sealer has signed one.
pub async fn latest(db: &impl ConnectionTrait) -> ApiResult<Option<log_checkpoint::Model>> {
    Ok(LogCheckpoint::find()
        .order_by_desc(log_checkpoint::Column::Size)
        .one(db)
        .await?)
}

/// The signed checkpoint of the tree of `size` leaves, if one was signed at that size.
pub async fn at(db: &impl ConnectionTrait, size: u64) -> ApiResult<Option<log_checkpoint::Model>> {
    Ok(LogCheckpoint::find_by_id(to_i64(size)?).one(db).await?)
}

fn to_i64(n: u64) -> ApiResult<i64> {
    i64::try_from(n).map_err(|_| ApiError::internal("a tree size past i64"))
}

/// A stored hash as 32 bytes.
pub fn hash_of(bytes: &[u8]) -> ApiResult<Hash> {
    bytes
        .try_into()
        .map_err(|_| ApiError::internal("a stored log hash is not 32 bytes"))
}

/// The stored hashes of `nodes`, in one query. A missing node is an error: the tree is
/// damaged or the caller asked past the sealed size.
pub async fn nodes(db: &impl ConnectionTrait, nodes: &[Node]) -> ApiResult<HashMap<Node, Hash>> {
    if nodes.is_empty() {
        return Ok(HashMap::new());
    }
    let mut wanted = Condition::any();
    for node in nodes {
        wanted = wanted.add(
            Condition::all()
                .add(log_node::Column::Level.eq(i16::from(node.level)))
                .add(log_node::Column::Idx.eq(to_i64(node.index)?)),
        );
    }
    let rows = LogNode::find().filter(wanted).all(db).await?;
    let mut found = HashMap::with_capacity(rows.len());
    for row in rows {
        let node = Node {
            level: u8::try_from(row.level).map_err(|_| ApiError::internal("a node level"))?,
            index: u64::try_from(row.idx).map_err(|_| ApiError::internal("a node index"))?,
        };
        found.insert(node, hash_of(&row.hash)?);
    }
    if let Some(missing) = nodes.iter().find(|node| !found.contains_key(node)) {
        return Err(ApiError::internal(format!(
            "the log's node {}/{} is missing",
            missing.level, missing.index
        )));
    }
    Ok(found)
}

/// The hashes of `ranges`, reading every node they need in one query.
pub async fn range_hashes(db: &impl ConnectionTrait, ranges: &[Range]) -> ApiResult<Vec<Hash>> {
    let per_range: Vec<Vec<Node>> = ranges.iter().map(|range| range.nodes()).collect();
    let all: Vec<Node> = per_range.iter().flatten().copied().collect();
    let found = nodes(db, &all).await?;
    per_range
        .iter()
        .map(|nodes| {
            let hashes: Vec<Hash> = nodes.iter().map(|node| found[node]).collect();
            Range::fold(&hashes).ok_or_else(|| ApiError::internal("an empty proof range"))
        })
        .collect()
}

/// The root of the tree of `size` leaves (at most the sealed size).
pub async fn root(db: &impl ConnectionTrait, size: u64) -> ApiResult<Hash> {
    if size == 0 {
        return Ok(tree::empty_root());
    }
    Ok(range_hashes(
        db,
        &[Range {
            start: 0,
            end: size,
        }],
    )
    .await?[0])
}

/// The inclusion proof of leaf `index` in the tree of `size` leaves.
pub async fn inclusion(db: &impl ConnectionTrait, index: u64, size: u64) -> ApiResult<Vec<Hash>> {
    let ranges = tree::inclusion_ranges(index, size).ok_or_else(|| {
        ApiError::bad_input("treeSize", "The entry is not in a tree of this size.")
    })?;
    range_hashes(db, &ranges).await
}

/// The consistency proof from the tree of `old` leaves to the tree of `new`.
pub async fn consistency(db: &impl ConnectionTrait, old: u64, new: u64) -> ApiResult<Vec<Hash>> {
    let ranges = tree::consistency_ranges(old, new).ok_or_else(|| {
        ApiError::bad_input(
            "fromSize",
            "The first size must not be larger than the second.",
        )
    })?;
    range_hashes(db, &ranges).await
}

/// What checking the stored log against its entries found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogCheck {
    /// How many sealed entries were checked.
    pub checked: u64,
    /// The first leaf that does not fit, the entry's `seq` when there is one, and why.
    pub first_broken: Option<(u64, Option<i64>, String)>,
}

/// Re-checks every sealed entry: its leaf hash from its bytes against the stored leaf, the
/// leaves without gaps, and the root they make against the latest signed checkpoint. It proves
/// the database agrees with itself; only copies of checkpoints kept outside (`verify-log`,
/// witnesses) prove it was not rewritten as a whole.
pub async fn check(db: &impl ConnectionTrait) -> ApiResult<LogCheck> {
    const BATCH: u64 = 1000;
    let latest = latest(db).await?;
    let size = latest
        .as_ref()
        .map_or(0, |row| u64::try_from(row.size).unwrap_or(0));
    let mut edge = tree::Edge::default();
    let broken = |index: u64, seq: Option<i64>, why: &str, checked: u64| LogCheck {
        checked,
        first_broken: Some((index, seq, why.to_owned())),
    };
    while edge.size() < size {
        let from = edge.size();
        let events = AuditEvent::find()
            .filter(audit_event::Column::LeafIndex.gte(to_i64(from)?))
            .filter(audit_event::Column::LeafIndex.lt(to_i64(size)?))
            .order_by_asc(audit_event::Column::LeafIndex)
            .limit(BATCH)
            .all(db)
            .await?;
        let stored: HashMap<i64, Vec<u8>> = LogNode::find()
            .filter(log_node::Column::Level.eq(0))
            .filter(log_node::Column::Idx.gte(to_i64(from)?))
            .filter(log_node::Column::Idx.lt(to_i64(from + BATCH)?))
            .all(db)
            .await?
            .into_iter()
            .map(|row| (row.idx, row.hash))
            .collect();
        if events.is_empty() {
            return Ok(broken(from, None, "an entry is missing", from));
        }
        for event in &events {
            let index = edge.size();
            if event.leaf_index != Some(to_i64(index)?) {
                return Ok(broken(index, None, "an entry is missing", index));
            }
            let leaf = super::entry::leaf(event);
            if stored.get(&to_i64(index)?).map(Vec::as_slice) != Some(&leaf[..]) {
                return Ok(broken(
                    index,
                    Some(event.seq),
                    "the entry was changed after it was sealed",
                    index,
                ));
            }
            edge.push(leaf);
        }
    }
    if let Some(latest) = latest
        && hash_of(&latest.root)? != edge.root()
    {
        return Ok(broken(
            size.saturating_sub(1),
            None,
            "the leaves do not make the latest checkpoint's root",
            size,
        ));
    }
    Ok(LogCheck {
        checked: size,
        first_broken: None,
    })
}
