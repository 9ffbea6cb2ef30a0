//! Exact sums of contributions in SQL, on SQLite and PostgreSQL alike, past what 64 bits hold.
//!
//! SQLite's `SUM` fails on 64-bit overflow and PostgreSQL's returns a `NUMERIC` that a cast back
//! to `BIGINT` would overflow. So each amount is split at 10⁹ and the parts are summed apart:
//! every part is below 10¹⁰, so the two sums stay far inside 64 bits for billions of rows, and
//! Rust joins them in an `i128`.

use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, SimpleExpr};

/// Where amounts are split.
const SPLIT: i64 = 1_000_000_000;

/// The two sums to select, `(high, low)`, of the amount column `column` of `table`.
pub fn split_sums(table: &str, column: &str) -> (SimpleExpr, SimpleExpr) {
    let amount = || Expr::col((Alias::new(table), Alias::new(column)));
    let sum = |part: SimpleExpr| Func::cast_as(Func::sum(part), Alias::new("BIGINT")).into();
    (sum(amount().div(SPLIT)), sum(amount().modulo(SPLIT)))
}

/// The total from its two parts.
pub fn joined(high: i64, low: i64) -> i128 {
    i128::from(high) * i128::from(SPLIT) + i128::from(low)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parts_join_to_the_exact_total() {
        let amounts = [i64::MAX, i64::MAX, 1_000_000_000_000_000, 7];
        let high: i64 = amounts.iter().map(|a| a / SPLIT).sum();
        let low: i64 = amounts.iter().map(|a| a % SPLIT).sum();
        let exact: i128 = amounts.iter().map(|&a| i128::from(a)).sum();
        assert_eq!(joined(high, low), exact);
    }
}
