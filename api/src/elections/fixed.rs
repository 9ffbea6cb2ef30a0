//! Fixed-point amounts with exactly 9 decimal places, as the PR Foundation's reference rule
//! counts: so independent conforming programs give the same result to the last digit.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

pub(crate) const SCALE: i64 = 1_000_000_000;

/// The convergence tolerance omega of the reference rule, 0.000001.
pub const OMEGA: Fixed = Fixed(1_000);

/// The largest accepted total ballot weight (10^9 votes), so that every amount fits an `i64`.
pub const MAX_TOTAL_WEIGHT: Fixed = Fixed(1_000_000_000 * SCALE);

/// A decimal amount with exactly 9 decimal places, stored as an integer number of 10^-9 units.
///
/// It displays, serializes and parses as a decimal string such as `"1.500000000"`.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(into = "String", try_from = "String")]
pub struct Fixed(pub(crate) i64);

impl Fixed {
    /// Number of units in 1 (10^9).
    pub const SCALE: i64 = SCALE;
    /// Zero.
    pub const ZERO: Fixed = Fixed(0);
    /// One.
    pub const ONE: Fixed = Fixed(SCALE);
    /// The smallest positive amount, 0.000000001.
    pub const EPSILON: Fixed = Fixed(1);

    /// The amount `units × 10^-9`.
    pub const fn from_units(units: i64) -> Self {
        Fixed(units)
    }

    /// The number of 10^-9 units in this amount.
    pub const fn units(self) -> i64 {
        self.0
    }

    /// The whole number `n`, or `None` if it does not fit.
    pub fn from_int(n: i64) -> Option<Self> {
        n.checked_mul(SCALE).map(Fixed)
    }
}

impl fmt::Display for Fixed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let scale = SCALE.unsigned_abs();
        write!(f, "{sign}{}.{:09}", abs / scale, abs % scale)
    }
}

/// Error returned when a string is not a decimal with at most 9 decimal places.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseFixedError(String);

impl fmt::Display for ParseFixedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid amount {:?} (expected a decimal with at most 9 decimal places)",
            self.0
        )
    }
}

impl std::error::Error for ParseFixedError {}

impl FromStr for Fixed {
    type Err = ParseFixedError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ParseFixedError(s.to_string());
        let (negative, body) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let (int, frac) = body.split_once('.').unwrap_or((body, ""));
        let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
        if int.is_empty() || !digits(int) || !digits(frac) || frac.len() > 9 {
            return Err(err());
        }
        if body.contains('.') && frac.is_empty() {
            return Err(err());
        }
        let whole: i64 = int.parse().map_err(|_| err())?;
        let frac_units: i64 = if frac.is_empty() {
            0
        } else {
            format!("{frac:0<9}").parse().map_err(|_| err())?
        };
        let units = whole
            .checked_mul(SCALE)
            .and_then(|u| u.checked_add(frac_units))
            .ok_or_else(err)?;
        Ok(Fixed(if negative { -units } else { units }))
    }
}

impl From<Fixed> for String {
    fn from(value: Fixed) -> Self {
        value.to_string()
    }
}

impl TryFrom<String> for Fixed {
    type Error = ParseFixedError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}
