//! Keyset pages over an order of several columns, for the sponsor connections that
//! `pagination::fetch_page` (one key column, whole rows) cannot express. Arguments, cursors and
//! page information are pagination's own, so every connection pages the same way.

use sea_orm::{
    ConnectionTrait, EntityTrait, FromQueryResult, Order, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select, Value,
    sea_query::{Expr, ExprTrait, SimpleExpr},
};

use crate::{
    error::ApiResult,
    pagination::{CursorKey, Direction, Page, PageOf, assemble},
};

/// A unique sort key made of several columns.
pub trait CompositeKey: CursorKey {
    /// The key's values, one for each column of the order and in the same order.
    fn values(self) -> Vec<Value>;
}

/// Rows strictly past `from` in the order of `columns`: after it going forward, before it going
/// backward. A row-value comparison, `(a, b, c) > (x, y, z)`: lexicographic, and both backends
/// start an index range scan at it rather than filtering from the start of the index.
fn past<K: CompositeKey>(columns: &[SimpleExpr], from: K, direction: Direction) -> SimpleExpr {
    let columns = Expr::tuple(columns.iter().cloned());
    let values = Expr::tuple(from.values().into_iter().map(Expr::val));
    match direction {
        Direction::Forward => columns.gt(values),
        Direction::Backward => columns.lt(values),
    }
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

/// The rows of one page of `query` (one more than the page size, to tell whether more follow),
/// without counting: one statement. [`assemble`] builds the page from them.
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
    let mut query = query;
    if let Some(from) = page.from.clone() {
        query = query.filter(past(columns, from, page.direction));
    }
    let order = match page.direction {
        Direction::Forward => Order::Asc,
        Direction::Backward => Order::Desc,
    };
    for column in columns {
        query = query.order_by(column.clone(), order.clone());
    }
    Ok(query.limit(page.size + 1).into_model::<M>().all(db).await?)
}
