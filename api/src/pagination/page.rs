//! A page as the connections see it: which end it is taken from, its cursors, and the page
//! built from the rows read for it. Both the arguments (the parent module) and the SQL
//! ([`super::keyset`]) build on these.

use async_graphql::SimpleObject;
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use uuid::Uuid;

/// Which end of the list a page is taken from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// `first`, optionally `after` a cursor.
    Forward,
    /// `last`, optionally `before` a cursor.
    Backward,
}

/// Paging arguments checked and decoded.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Page<K = Uuid> {
    pub direction: Direction,
    pub size: u64,
    /// The key the page starts after (forward) or ends before (backward).
    pub from: Option<K>,
}

/// A unique sort key that can live in a cursor.
pub trait CursorKey: Sized + Clone {
    fn to_text(self) -> String;
    fn from_text(text: &str) -> Option<Self>;
}

impl CursorKey for Uuid {
    fn to_text(self) -> String {
        self.to_string()
    }
    fn from_text(text: &str) -> Option<Self> {
        Uuid::parse_str(text).ok()
    }
}

impl CursorKey for i64 {
    fn to_text(self) -> String {
        self.to_string()
    }
    fn from_text(text: &str) -> Option<Self> {
        text.parse().ok()
    }
}

/// Encodes the key of a row as an opaque cursor.
pub fn encode_cursor<K: CursorKey>(key: K) -> String {
    URL_SAFE_NO_PAD.encode(format!("cursor:{}", key.to_text()))
}

pub(super) fn decode_cursor<K: CursorKey>(cursor: &str) -> Option<K> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    K::from_text(text.strip_prefix("cursor:")?)
}

/// Information to continue paging.
#[derive(Clone, Debug, SimpleObject)]
pub struct PageInfo {
    /// Whether items come before this page.
    pub has_previous_page: bool,
    /// Whether items come after this page.
    pub has_next_page: bool,
    /// The cursor of the first item on this page, to page backward from. Null only when the
    /// page is empty (nullable as the Relay connection spec has it).
    pub start_cursor: Option<String>,
    /// The cursor of the last item on this page, to page forward from. Never null when the
    /// page has items, so whenever `hasNextPage` is true; null only when the page is empty.
    pub end_cursor: Option<String>,
}

/// One page of nodes with their cursors, ready to become a connection type.
pub struct PageOf<N> {
    pub edges: Vec<(String, N)>,
    pub page_info: PageInfo,
    pub total_count: u64,
}

impl<N> PageOf<N> {
    /// Converts every node, keeping cursors and paging information.
    pub fn map<M>(self, mut f: impl FnMut(N) -> M) -> PageOf<M> {
        PageOf {
            edges: self
                .edges
                .into_iter()
                .map(|(cursor, node)| (cursor, f(node)))
                .collect(),
            page_info: self.page_info,
            total_count: self.total_count,
        }
    }
}

/// Which way a list is sorted.
#[derive(async_graphql::Enum, Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum SortDirection {
    /// Smallest first: A to Z, oldest first.
    #[default]
    Asc,
    /// Largest first: Z to A, newest first.
    Desc,
}

/// Builds the page from the rows fetched for it: up to one more than its size, in the query's
/// order (descending when paging backward). The extra row only says there is more.
pub fn assemble<N, K: CursorKey>(
    mut rows: Vec<N>,
    page: &Page<K>,
    key_of: impl Fn(&N) -> K,
    total_count: u64,
) -> PageOf<N> {
    let more = rows.len() as u64 > page.size;
    rows.truncate(usize::try_from(page.size).unwrap_or(usize::MAX));
    if page.direction == Direction::Backward {
        rows.reverse();
    }
    let edges: Vec<_> = rows
        .into_iter()
        .map(|row| (encode_cursor(key_of(&row)), row))
        .collect();
    let (has_previous_page, has_next_page) = match page.direction {
        Direction::Forward => (page.from.is_some(), more),
        Direction::Backward => (more, page.from.is_some()),
    };
    PageOf {
        page_info: PageInfo {
            has_previous_page,
            has_next_page,
            start_cursor: edges.first().map(|(cursor, _)| cursor.clone()),
            end_cursor: edges.last().map(|(cursor, _)| cursor.clone()),
        },
        edges,
        total_count,
    }
}
