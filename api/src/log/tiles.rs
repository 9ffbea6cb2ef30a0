//! C2SP `tlog-tiles`: the Merkle tree log's hashes as tiles, so that standard mirrors and
//! monitors can follow the log (see `docs/log.md`).
//!
//! The tile of level `L` and index `N` is the hashes of the complete subtrees of height `8·L`
//! with indexes `N·256` to `N·256 + 255`: MTH(D[(N·256 + i)·256^L : (N·256 + i + 1)·256^L]).
//! Those are exactly the stored nodes of level `8·L`, so a tile is one read. A partial tile
//! (`.p/W`) holds the first `W` of them. Only hash tiles are served: entry bundles
//! (`tile/entries/…`) would give every entry's bytes to anyone, where an entry is readable only
//! by those it concerns.

use entity::{log_node, prelude::LogNode};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::error::{ApiError, ApiResult};

/// How many hashes a full tile holds.
pub const WIDTH: u64 = 256;

/// A tile named by its path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tile {
    /// The tile's level `L` (its hashes are the tree's nodes of level `8·L`).
    pub level: u8,
    /// The tile's index `N` within its level.
    pub index: u64,
    /// `Some(W)` for a partial tile of `W` hashes (1 to 255), `None` for a full one.
    pub partial: Option<u8>,
}

impl Tile {
    /// How many hashes the tile holds.
    pub fn width(self) -> u64 {
        self.partial.map_or(WIDTH, u64::from)
    }

    /// The tile's path after `tile/`, as C2SP `tlog-tiles` writes it: `<L>/<N>[.p/<W>]`, with
    /// `N` in 3-digit elements, all but the last starting with `x` (1234067 is `x001/x234/067`).
    pub fn path(self) -> String {
        let mut elements = vec![format!("{:03}", self.index % 1000)];
        let mut rest = self.index / 1000;
        while rest > 0 {
            elements.push(format!("x{:03}", rest % 1000));
            rest /= 1000;
        }
        elements.reverse();
        let mut path = format!("{}/{}", self.level, elements.join("/"));
        if let Some(width) = self.partial {
            path.push_str(&format!(".p/{width}"));
        }
        path
    }

    /// Reads a tile's path after `tile/`. `None` for anything not in the canonical form (so
    /// that one tile has one URL, as caches want), or for a level past the tree's 64 levels.
    pub fn parse(path: &str) -> Option<Self> {
        let (level, rest) = path.split_once('/')?;
        let level: u8 = canonical_number(level)?;
        if u32::from(level) * 8 > 63 {
            return None;
        }
        let (index, partial) = match rest.split_once(".p/") {
            Some((index, width)) => {
                let width: u8 = canonical_number(width)?;
                if width == 0 {
                    return None;
                }
                (index, Some(width))
            }
            None => (rest, None),
        };
        let mut number: u64 = 0;
        let elements: Vec<&str> = index.split('/').collect();
        for (i, element) in elements.iter().enumerate() {
            let digits = if i + 1 < elements.len() {
                element.strip_prefix('x')?
            } else {
                element
            };
            if digits.len() != 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            number = number
                .checked_mul(1000)?
                .checked_add(digits.parse::<u64>().ok()?)?;
        }
        let tile = Self {
            level,
            index: number,
            partial,
        };
        // `x000/001` is 1 too, but only `001` is its name.
        (tile.path() == path).then_some(tile)
    }
}

/// A decimal number with no leading zeros.
fn canonical_number<T: std::str::FromStr>(text: &str) -> Option<T> {
    if text.is_empty() || (text.len() > 1 && text.starts_with('0')) {
        return None;
    }
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// The tile's bytes (its hashes, concatenated), or `None` while the log does not hold all of
/// them yet. Nodes are stored in the transaction that signs the checkpoint holding them, so a
/// tile served is always part of a signed tree.
pub async fn read(db: &impl ConnectionTrait, tile: Tile) -> ApiResult<Option<Vec<u8>>> {
    let width = tile.width();
    let Some(first) = tile.index.checked_mul(WIDTH) else {
        return Ok(None);
    };
    let (Ok(first), Ok(end)) = (i64::try_from(first), i64::try_from(first + width)) else {
        return Ok(None);
    };
    let rows = LogNode::find()
        .filter(log_node::Column::Level.eq(i16::from(tile.level) * 8))
        .filter(log_node::Column::Idx.gte(first))
        .filter(log_node::Column::Idx.lt(end))
        .order_by_asc(log_node::Column::Idx)
        .all(db)
        .await?;
    if rows.len() as u64 != width {
        return Ok(None);
    }
    let mut bytes = Vec::with_capacity(rows.len() * 32);
    for row in rows {
        if row.hash.len() != 32 {
            return Err(ApiError::internal("a stored log hash is not 32 bytes"));
        }
        bytes.extend_from_slice(&row.hash);
    }
    Ok(Some(bytes))
}

#[cfg(test)]
mod tests {
    use super::Tile;

    #[test]
    fn paths_follow_the_c2sp_examples() {
        let tile = Tile {
            level: 0,
            index: 1_234_067,
            partial: None,
        };
        assert_eq!(tile.path(), "0/x001/x234/067");
        assert_eq!(Tile::parse("0/x001/x234/067"), Some(tile));
        let partial = Tile {
            level: 2,
            index: 0,
            partial: Some(17),
        };
        assert_eq!(partial.path(), "2/000.p/17");
        assert_eq!(Tile::parse("2/000.p/17"), Some(partial));
        assert_eq!(Tile::parse("1/999").map(|t| t.index), Some(999));
        assert_eq!(Tile::parse("1/x001/000").map(|t| t.index), Some(1000));
    }

    #[test]
    fn non_canonical_paths_are_refused() {
        for path in [
            "00/000",
            "0/0",
            "0/0000",
            "0/x000/001",
            "0/001/002",
            "0/x01/002",
            "0/000.p/0",
            "0/000.p/256",
            "0/000.p/07",
            "8/000",
            "64/000",
            "0/000.p",
            "0",
            "-1/000",
            "0/+01",
            "0/000/",
            "entries/000",
        ] {
            assert_eq!(Tile::parse(path), None, "{path}");
        }
    }
}
