//! Keyset pages in SQL, the one place a page's rows are read: the rows past the cursor, in the
//! order of one or several key columns, one more than the page size to tell whether more
//! follow. Whole rows or joined ones, one list, or one page for each of several parents.

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, Order, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait, Select, Value,
    sea_query::{Alias, Asterisk, Expr, ExprTrait, Query, SimpleExpr, WindowStatement},
};
use uuid::Uuid;

use super::page::{CursorKey, Direction, Page, PageOf, SortDirection, assemble};
use crate::error::ApiResult;

/// A unique sort key of one or several columns, as a cursor carries it.
pub trait CompositeKey: CursorKey {
    /// The key's values, one for each column of the order and in the same order.
    fn values(self) -> Vec<Value>;
}

impl CompositeKey for Uuid {
    fn values(self) -> Vec<Value> {
        vec![self.into()]
    }
}

impl CompositeKey for i64 {
    fn values(self) -> Vec<Value> {
        vec![self.into()]
    }
}

/// Whether a page reads the key upward: a list in ascending order read forward, or one in
/// descending order read backward.
fn upward<K>(order: SortDirection, page: &Page<K>) -> bool {
    (order == SortDirection::Asc) == (page.direction == Direction::Forward)
}

/// The rows strictly past the page's cursor in the order of `columns`, read `upward` or not;
/// `None` on a first page. Several columns compare as a row value, `(a, b, c) > (x, y, z)`:
/// lexicographic, and both backends start an index range scan at it rather than filtering from
/// the start of the index.
fn past<K: CompositeKey>(
    columns: &[SimpleExpr],
    page: &Page<K>,
    upward: bool,
) -> Option<SimpleExpr> {
    let values = page.from.clone()?.values();
    let (left, right) = match (columns, values.as_slice()) {
        ([column], [value]) => (column.clone(), Expr::val(value.clone())),
        _ => (
            Expr::tuple(columns.iter().cloned()),
            Expr::tuple(values.into_iter().map(Expr::val)),
        ),
    };
    Some(if upward {
        left.gt(right)
    } else {
        left.lt(right)
    })
}

/// `query` without the rows up to the page's cursor, and the direction the page reads the key
/// in.
fn from_cursor<E, K>(
    query: Select<E>,
    columns: &[SimpleExpr],
    order: SortDirection,
    page: &Page<K>,
) -> (Select<E>, Order)
where
    E: EntityTrait,
    K: CompositeKey,
{
    let upward = upward(order, page);
    let query = match past(columns, page, upward) {
        Some(past) => query.filter(past),
        None => query,
    };
    (query, if upward { Order::Asc } else { Order::Desc })
}

/// `query` narrowed to one page in `order` of `columns`: past the cursor, read in the page's
/// direction, one row more than the page size. [`assemble`] builds the page from its rows.
pub(super) fn page_of<E, K>(
    query: Select<E>,
    columns: &[SimpleExpr],
    order: SortDirection,
    page: &Page<K>,
) -> Select<E>
where
    E: EntityTrait,
    K: CompositeKey,
{
    let (mut query, read) = from_cursor(query, columns, order, page);
    for column in columns {
        query = query.order_by(column.clone(), read.clone());
    }
    query.limit(page.size + 1)
}

/// Fetches one page of `query`, read as `M`, in the ascending order of `columns`, whose values
/// `key_of` gives for a row. Two statements, a count and a page, whatever the page size.
pub async fn fetch_keyset_page<E, M, K>(
    db: &impl ConnectionTrait,
    query: Select<E>,
    columns: &[SimpleExpr],
    key_of: impl Fn(&M) -> K,
    page: &Page<K>,
) -> ApiResult<PageOf<M>>
where
    E: EntityTrait,
    E::Model: Sync,
    M: FromQueryResult + Send + Sync,
    K: CompositeKey,
{
    let total_count = query.clone().count(db).await?;
    let rows = fetch_keyset_rows(db, query, columns, page).await?;
    Ok(assemble(rows, page, key_of, total_count))
}

/// The rows of one page of `query`, read as `M`, in the ascending order of `columns`, without
/// counting: one statement. [`assemble`] builds the page from them.
pub async fn fetch_keyset_rows<E, M, K>(
    db: &impl ConnectionTrait,
    query: Select<E>,
    columns: &[SimpleExpr],
    page: &Page<K>,
) -> ApiResult<Vec<M>>
where
    E: EntityTrait,
    E::Model: Sync,
    M: FromQueryResult + Send + Sync,
    K: CompositeKey,
{
    Ok(page_of(query, columns, SortDirection::Asc, page)
        .into_model::<M>()
        .all(db)
        .await?)
}

/// The rows of the same page of each parent's list (an endpoint's deliveries, say) in one
/// statement: `query` holds the children of every parent asked for, `parent` is their parent's
/// column, and each parent's list runs in `order` of `columns`. Each parent's rows come in the
/// page's reading order, at most one more than its size, ready for [`assemble`].
pub async fn fetch_child_pages<E, C, K>(
    db: &impl ConnectionTrait,
    query: Select<E>,
    parent: C,
    columns: &[SimpleExpr],
    order: SortDirection,
    page: &Page<K>,
) -> ApiResult<Vec<E::Model>>
where
    E: EntityTrait,
    C: ColumnTrait,
    K: CompositeKey,
{
    let (query, read) = from_cursor(query, columns, order, page);
    let mut window = WindowStatement::partition_by(parent.as_column_ref());
    for column in columns {
        window.order_by_expr(column.clone(), read.clone());
    }
    let place = Alias::new("place");
    let mut ranked = query.into_query();
    ranked.expr_window_as(Expr::cust("ROW_NUMBER()"), window, place.clone());
    let limit = i64::try_from(page.size + 1).unwrap_or(i64::MAX);
    let statement = Query::select()
        .column(Asterisk)
        .from_subquery(ranked, Alias::new("ranked"))
        .and_where(Expr::col(place.clone()).lte(limit))
        .order_by(place, Order::Asc)
        .to_owned();
    Ok(E::find()
        .from_raw_sql(db.get_database_backend().build(&statement))
        .all(db)
        .await?)
}
