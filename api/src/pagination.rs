//! Relay connections: `first`/`after`, `last`/`before`, `totalCount`, with keyset pages. Every
//! connection pages through here: the arguments and cursors below, the SQL in [`keyset`].

mod keyset;
mod page;

use async_graphql::Context;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, IntoSimpleExpr,
    PaginatorTrait, QueryResult, QuerySelect, Select, Value,
    sea_query::{Expr, SimpleExpr},
};
use uuid::Uuid;

pub use self::keyset::{CompositeKey, fetch_child_pages, fetch_keyset_page, fetch_keyset_rows};
use self::page::decode_cursor;
pub use self::page::{
    CursorKey, Direction, Page, PageInfo, PageOf, SortDirection, assemble, encode_cursor,
};
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
            return Err(ApiError::bad_input("last", "Give first or last, not both."));
        }
        if self.after.is_some() && self.before.is_some() {
            return Err(ApiError::bad_input(
                "before",
                "Give after or before, not both.",
            ));
        }
        let backward = self.last.is_some() || self.before.is_some();
        if backward && self.after.is_some() {
            return Err(ApiError::bad_input(
                "after",
                "The after cursor pages forward; use it with first, not last.",
            ));
        }
        if !backward && self.before.is_some() {
            return Err(ApiError::bad_input(
                "before",
                "The before cursor pages backward; use it with last, not first.",
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
                    format!("The page size ({size_field}) must not be negative."),
                ));
            }
            Some(n) if u64::from(n.unsigned_abs()) > MAX_PAGE_SIZE => {
                return Err(ApiError::bad_input(
                    size_field,
                    format!("The page size ({size_field}) may be at most {MAX_PAGE_SIZE}."),
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
    ApiError::bad_input(field, "This cursor does not belong to this list.")
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
    K: CompositeKey,
    E::Model: Sync,
{
    fetch_page_counting(db, query, key, key_of, page, true).await
}

/// Whether the client selected a connection's `totalCount`, which costs a statement of its own.
pub fn selects_total(ctx: &Context<'_>) -> bool {
    ctx.look_ahead().field("totalCount").exists()
}

/// Whether the client selected `field` of a connection's nodes, through `nodes` or
/// `edges { node }`.
pub fn selects_node(ctx: &Context<'_>, field: &str) -> bool {
    let connection = ctx.look_ahead();
    connection.field("nodes").field(field).exists()
        || connection
            .field("edges")
            .field("node")
            .field(field)
            .exists()
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
    K: CompositeKey,
    E::Model: Sync,
{
    let total_count = if count {
        query.clone().count(db).await?
    } else {
        0
    };
    let rows = keyset::page_of(query, &[key.into_simple_expr()], SortDirection::Asc, page)
        .all(db)
        .await?;
    Ok(assemble(rows, page, key_of, total_count))
}

/// An order other than a list's key: a text expression (a name, or a date cast to text, whose
/// ISO form sorts as the date does) with the row's key breaking ties, so that it is unique.
pub struct SortOrder {
    /// The order's name, kept in cursors so that a cursor is not reused under another order.
    pub name: &'static str,
    /// The SQL expression sorted on; it must be non-null text.
    pub expr: SimpleExpr,
    pub direction: SortDirection,
}

/// A row's place in a [`SortOrder`]: the order's name, the sorted value and the row's key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SortedKey {
    pub order: String,
    pub id: Uuid,
    pub value: String,
}

impl CursorKey for SortedKey {
    fn to_text(self) -> String {
        format!("{}|{}|{}", self.order, self.id, self.value)
    }
    fn from_text(text: &str) -> Option<Self> {
        let (order, rest) = text.split_once('|')?;
        let (id, value) = rest.split_once('|')?;
        Some(Self {
            order: order.to_owned(),
            id: Uuid::parse_str(id).ok()?,
            value: value.to_owned(),
        })
    }
}

impl CompositeKey for SortedKey {
    fn values(self) -> Vec<Value> {
        vec![self.value.into(), self.id.into()]
    }
}

/// The sort expression for a date column, as ISO text (which sorts as the date does).
pub fn date_text(table: &str, column: &str) -> SimpleExpr {
    Expr::cust(format!(r#"CAST("{table}"."{column}" AS TEXT)"#))
}

/// A row read with the value it is sorted on.
pub struct Sorted<M> {
    pub row: M,
    pub value: String,
}

impl<M: FromQueryResult> FromQueryResult for Sorted<M> {
    fn from_query_result(res: &QueryResult, pre: &str) -> Result<Self, DbErr> {
        Ok(Self {
            row: M::from_query_result(res, pre)?,
            value: res.try_get(pre, SORT_VALUE)?,
        })
    }
}

const SORT_VALUE: &str = "sort_value";

/// Fetches one page of `query` in `order`, its key column `key` (read from a row by `key_of`)
/// breaking ties. Two statements, a count and a page, whatever the page size. A cursor made
/// under another order is `BAD_USER_INPUT`.
pub async fn fetch_sorted_page<E, C>(
    db: &impl ConnectionTrait,
    query: Select<E>,
    order: &SortOrder,
    key: C,
    key_of: impl Fn(&E::Model) -> Uuid,
    page: &Page<SortedKey>,
) -> ApiResult<PageOf<E::Model>>
where
    E: EntityTrait,
    C: ColumnTrait,
    E::Model: FromQueryResult + Sync + Send,
{
    if let Some(from) = &page.from
        && from.order != order.name
    {
        let field = match page.direction {
            Direction::Forward => "after",
            Direction::Backward => "before",
        };
        return Err(ApiError::bad_input(
            field,
            "This cursor belongs to the list in another order; start again from the first page.",
        ));
    }
    let total_count = query.clone().count(db).await?;
    let columns = [order.expr.clone(), key.into_simple_expr()];
    let rows: Vec<Sorted<E::Model>> = keyset::page_of(
        query.column_as(order.expr.clone(), SORT_VALUE),
        &columns,
        order.direction,
        page,
    )
    .into_model::<Sorted<E::Model>>()
    .all(db)
    .await?;
    let page = assemble(
        rows,
        page,
        |sorted| SortedKey {
            order: order.name.to_owned(),
            id: key_of(&sorted.row),
            value: sorted.value.clone(),
        },
        total_count,
    );
    Ok(page.map(|sorted| sorted.row))
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
