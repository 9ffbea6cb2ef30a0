//! A sponsorship's period and the share of a yearly minimum it owes.
//!
//! A period runs from its start date up to its end date: from a date to the same date a year
//! later is one year, twelve months. Its length is counted in whole months, a month being
//! reached on the same day of the month (or the month's last day when it has no such day). A
//! partial month counts as a whole one, so that a short period still owes its share: 2026-11-25
//! to 2027-05-25 is 6 months, to 2027-05-26 is 7.

use chrono::{Datelike, Months, NaiveDate};

use crate::money::Money;

/// Whole months from `start` up to `end`, a partial month rounded up; 0 when `end` is not after
/// `start`.
pub fn months(start: NaiveDate, end: NaiveDate) -> u32 {
    let reached = |months: u32| {
        start
            .checked_add_months(Months::new(months))
            .is_none_or(|day| day >= end)
    };
    // A first guess from the calendar months, then the exact count around it.
    let guess = (i64::from(end.year()) - i64::from(start.year())) * 12 + i64::from(end.month0())
        - i64::from(start.month0());
    let mut months = u32::try_from(guess.max(0)).unwrap_or(0);
    while !reached(months) {
        months += 1;
    }
    while months > 0 && reached(months - 1) {
        months -= 1;
    }
    months
}

/// What a period of `months` owes at a yearly minimum of `yearly`: yearly × months / 12, rounded
/// up to a whole minor unit, computed exactly.
pub fn prorated(yearly: Money, months: u32) -> Money {
    let owed = yearly.amount_minor() * i128::from(months);
    Money::total((owed + 11).div_euclid(12), yearly.currency())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().expect("a date")
    }

    #[test]
    fn a_year_is_twelve_months_and_a_day_more_is_thirteen() {
        assert_eq!(months(day("2026-11-25"), day("2027-11-25")), 12);
        assert_eq!(months(day("2026-11-25"), day("2027-11-24")), 12);
        assert_eq!(months(day("2026-11-25"), day("2027-11-26")), 13);
        assert_eq!(months(day("2026-11-25"), day("2027-05-25")), 6);
        assert_eq!(months(day("2026-11-25"), day("2026-11-26")), 1);
        assert_eq!(months(day("2026-11-25"), day("2026-11-25")), 0);
        assert_eq!(months(day("2027-01-31"), day("2027-02-28")), 1);
        assert_eq!(months(day("2024-02-29"), day("2025-02-28")), 12);
    }

    #[test]
    fn the_share_is_exact_and_rounds_up_to_a_minor_unit() {
        let usd = crate::money::Currency::parse("USD", "currency").expect("USD");
        let gold = Money::new(2_000_000, usd);
        assert_eq!(prorated(gold, 12).amount_minor(), 2_000_000);
        assert_eq!(prorated(gold, 1).amount_minor(), 166_667);
        let silver = Money::new(250_000, usd);
        assert_eq!(prorated(silver, 6).amount_minor(), 125_000);
    }
}
