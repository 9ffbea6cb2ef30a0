//! Keyset pages over an order of several columns, for the sponsor connections that
//! `pagination::fetch_page` (one key column, whole rows) cannot express. Arguments, cursors and
//! page information are pagination's own, so every connection pages the same way.

use sea_orm::{
    ConnectionTrait, EntityTrait, FromQueryResult, Order, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select, Value,
    sea_query::{Condition, ExprTrait, SimpleExpr},
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
/// backward. Lexicographic: the first column that differs decides.
fn past<K: CompositeKey>(columns: &[SimpleExpr], from: K, direction: Direction) -> Condition {
    let pairs: Vec<(SimpleExpr, Value)> = columns.iter().cloned().zip(from.values()).collect();
    let mut any = Condition::any();
    for (i, (column, value)) in pairs.iter().enumerate() {
        let same_before = pairs[..i].iter().fold(Condition::all(), |all, (c, v)| {
            all.add(c.clone().eq(v.clone()))
        });
        let beyond = match direction {
            Direction::Forward => column.clone().gt(value.clone()),
            Direction::Backward => column.clone().lt(value.clone()),
        };
        any = any.add(same_before.add(beyond));
    }
    any
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
    let rows = query.limit(page.size + 1).into_model::<M>().all(db).await?;
    Ok(assemble(rows, page, key_of, total_count))
}
