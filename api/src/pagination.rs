//! Relay connections: `first`/`after`, `last`/`before`, `totalCount`, with keyset pages.

use async_graphql::SimpleObject;
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};

/// Page size when the client gives none.
pub const DEFAULT_PAGE_SIZE: u64 = 20;
/// The largest page a client may ask for.
pub const MAX_PAGE_SIZE: u64 = 100;

/// The paging arguments of a connection field, as the client sent them.
#[derive(Clone, Debug, Default)]
pub struct PageArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
    pub last: Option<i32>,
    pub before: Option<String>,
}

/// Which end of the list a page is taken from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// `first`, optionally `after` a cursor.
    Forward,
    /// `last`, optionally `before` a cursor.
    Backward,
}

/// Paging arguments checked and decoded.
#[derive(Clone, Debug)]
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

impl PageArgs {
    pub fn new(
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Self {
        Self {
            first,
            after,
            last,
            before,
        }
    }

    /// Checks the arguments: one direction at a time, sizes within 0..=100, cursors of ours.
    pub fn parse<K: CursorKey>(self) -> ApiResult<Page<K>> {
        if self.first.is_some() && self.last.is_some() {
            return Err(ApiError::bad_input(
                "last",
                "give `first` or `last`, not both",
            ));
        }
        if self.after.is_some() && self.before.is_some() {
            return Err(ApiError::bad_input(
                "before",
                "give `after` or `before`, not both",
            ));
        }
        let backward = self.last.is_some() || self.before.is_some();
        if backward && self.after.is_some() {
            return Err(ApiError::bad_input(
                "after",
                "`after` pages forward; use it with `first`",
            ));
        }
        if !backward && self.before.is_some() {
            return Err(ApiError::bad_input(
                "before",
                "`before` pages backward; use it with `last`",
            ));
        }
        let (size_field, size, cursor_field, cursor) = if backward {
            ("last", self.last, "before", self.before)
        } else {
            ("first", self.first, "after", self.after)
        };
        let size = match size {
            None => DEFAULT_PAGE_SIZE,
            Some(n) if n < 0 => {
                return Err(ApiError::bad_input(
                    size_field,
                    format!("`{size_field}` must not be negative"),
                ));
            }
            Some(n) if u64::from(n.unsigned_abs()) > MAX_PAGE_SIZE => {
                return Err(ApiError::bad_input(
                    size_field,
                    format!("`{size_field}` may be at most {MAX_PAGE_SIZE}"),
                ));
            }
            Some(n) => u64::from(n.unsigned_abs()),
        };
        let from = cursor
            .map(|cursor| decode_cursor::<K>(&cursor).ok_or_else(|| invalid_cursor(cursor_field)))
            .transpose()?;
        Ok(Page {
            direction: if backward {
                Direction::Backward
            } else {
                Direction::Forward
            },
            size,
            from,
        })
    }
}

fn invalid_cursor(field: &str) -> ApiError {
    ApiError::bad_input(field, format!("`{field}` is not a cursor from this list"))
}

/// How many items of a page cost as much as one item's fields.
const ITEMS_PER_COST_UNIT: usize = 10;

/// The complexity of a connection field: its children, once per ten items of the page asked
/// for. A wide page of 100 rows costs ten rows' worth, while connections nested in connections
/// still multiply, which is what makes a query expensive.
pub fn cost(first: Option<i32>, last: Option<i32>, child_complexity: usize) -> usize {
    let size = first
        .or(last)
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(DEFAULT_PAGE_SIZE as usize);
    size.max(1)
        .saturating_mul(child_complexity)
        .div_ceil(ITEMS_PER_COST_UNIT)
        .saturating_add(1)
}

/// Encodes the key of a row as an opaque cursor.
pub fn encode_cursor<K: CursorKey>(key: K) -> String {
    URL_SAFE_NO_PAD.encode(format!("cursor:{}", key.to_text()))
}

fn decode_cursor<K: CursorKey>(cursor: &str) -> Option<K> {
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
    /// The cursor of the first item on this page, to page backward from.
    pub start_cursor: Option<String>,
    /// The cursor of the last item on this page, to page forward from.
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

/// Fetches one page of `query`, ordered by its unique key column `key`.
///
/// Keys are UUIDv7 or sequence numbers, so this order is stable: cursors stay valid when rows
/// are added. It costs two statements, a count and a page, whatever the page size.
pub async fn fetch_page<E, C, K>(
    db: &impl ConnectionTrait,
    query: Select<E>,
    key: C,
    key_of: impl Fn(&E::Model) -> K,
    page: &Page<K>,
) -> ApiResult<PageOf<E::Model>>
where
    E: EntityTrait,
    C: ColumnTrait,
    K: CursorKey + Copy + Into<sea_orm::Value>,
    E::Model: Sync,
{
    fetch_page_counting(db, query, key, key_of, page, true).await
}

/// [`fetch_page`], counting only when `count` is true (the client selected `totalCount`; the
/// count is 0 otherwise, and never shown): one statement instead of two.
pub async fn fetch_page_counting<E, C, K>(
    db: &impl ConnectionTrait,
    query: Select<E>,
    key: C,
    key_of: impl Fn(&E::Model) -> K,
    page: &Page<K>,
    count: bool,
) -> ApiResult<PageOf<E::Model>>
where
    E: EntityTrait,
    C: ColumnTrait,
    K: CursorKey + Copy + Into<sea_orm::Value>,
    E::Model: Sync,
{
    let total_count = if count {
        query.clone().count(db).await?
    } else {
        0
    };
    let mut query = query;
    if let Some(from) = page.from {
        query = match page.direction {
            Direction::Forward => query.filter(key.gt(from)),
            Direction::Backward => query.filter(key.lt(from)),
        };
    }
    query = match page.direction {
        Direction::Forward => query.order_by_asc(key),
        Direction::Backward => query.order_by_desc(key),
    };
    let rows = query.limit(page.size + 1).all(db).await?;
    Ok(assemble(rows, page, key_of, total_count))
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

/// Declares a Relay connection type and its edge type for a node type.
///
/// `connection!(AccountConnection, AccountEdge, Account);`
#[macro_export]
macro_rules! connection {
    ($connection:ident, $edge:ident, $node:ty) => {
        /// The connection's page, built from a [`PageOf`](crate::pagination::PageOf).
        pub struct $connection {
            edges: Vec<$edge>,
            page_info: $crate::pagination::PageInfo,
            total_count: u64,
        }

        /// An item of a connection, with the cursor to page from it.
        #[derive(async_graphql::SimpleObject)]
        pub struct $edge {
            /// An opaque cursor: pass it as `after` or `before` to page from this item.
            pub cursor: String,
            /// The item.
            pub node: $node,
        }

        /// A Relay connection: one page of a list, with edges, nodes, paging information and the
        /// total count.
        #[async_graphql::Object]
        impl $connection {
            /// The items on this page, each with its cursor.
            async fn edges(&self) -> &[$edge] {
                &self.edges
            }

            /// The items on this page.
            async fn nodes(&self) -> Vec<&$node> {
                self.edges.iter().map(|edge| &edge.node).collect()
            }

            /// Information to continue paging.
            async fn page_info(&self) -> &$crate::pagination::PageInfo {
                &self.page_info
            }

            /// The number of items in the whole list, across all pages.
            async fn total_count(&self) -> u64 {
                self.total_count
            }
        }

        impl From<$crate::pagination::PageOf<$node>> for $connection {
            fn from(page: $crate::pagination::PageOf<$node>) -> Self {
                Self {
                    edges: page
                        .edges
                        .into_iter()
                        .map(|(cursor, node)| $edge { cursor, node })
                        .collect(),
                    page_info: page.page_info,
                    total_count: page.total_count,
                }
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(first: Option<i32>, last: Option<i32>) -> PageArgs {
        PageArgs::new(first, None, last, None)
    }

    fn field_of(err: ApiError) -> String {
        match err {
            ApiError::BadUserInput { field, .. } => field,
            other => panic!("expected BAD_USER_INPUT, got {other:?}"),
        }
    }

    #[test]
    fn first_defaults_to_20_and_is_capped_at_100() {
        assert_eq!(args(None, None).parse::<i64>().expect("default").size, 20);
        assert_eq!(args(Some(100), None).parse::<i64>().expect("cap").size, 100);
        assert_eq!(
            field_of(args(Some(101), None).parse::<i64>().expect_err("over")),
            "first"
        );
        assert_eq!(
            field_of(args(Some(-1), None).parse::<i64>().expect_err("neg")),
            "first"
        );
        assert_eq!(
            field_of(args(None, Some(500)).parse::<i64>().expect_err("over")),
            "last"
        );
    }

    #[test]
    fn a_foreign_cursor_is_refused() {
        let page = PageArgs::new(Some(5), Some("bogus".into()), None, None).parse::<Uuid>();
        assert_eq!(field_of(page.expect_err("bogus")), "after");
        let key = crate::ids::new_key();
        let page = PageArgs::new(Some(5), Some(encode_cursor(key)), None, None)
            .parse()
            .expect("ours");
        assert_eq!(page.from, Some(key));
    }
}
