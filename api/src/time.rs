//! The `DateTime` and `Date` scalars: RFC 3339 instants in UTC, and calendar dates.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::{NaiveDate, SecondsFormat, Utc};

/// An instant in time, written in RFC 3339 in UTC, such as `2026-11-25T17:49:27.123Z`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime(pub chrono::DateTime<Utc>);

/// An instant in time, written in RFC 3339 in UTC, such as `2026-11-25T17:49:27.123Z`.
#[Scalar(
    name = "DateTime",
    specified_by_url = "https://www.rfc-editor.org/rfc/rfc3339"
)]
impl ScalarType for DateTime {
    fn parse(value: Value) -> InputValueResult<Self> {
        let Value::String(text) = &value else {
            return Err(InputValueError::expected_type(value));
        };
        let instant = chrono::DateTime::parse_from_rfc3339(text)
            .map(|instant| instant.with_timezone(&Utc))
            .map_err(|_| InputValueError::custom("expected an RFC 3339 date-time"))?;
        in_range(instant.date_naive())?;
        Ok(Self(instant))
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_rfc3339_opts(SecondsFormat::Millis, true))
    }
}

impl From<chrono::DateTime<Utc>> for DateTime {
    fn from(instant: chrono::DateTime<Utc>) -> Self {
        Self(instant)
    }
}

/// A calendar date without a time or zone, written `YYYY-MM-DD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub NaiveDate);

/// A calendar date without a time or zone, written `YYYY-MM-DD`.
#[Scalar(
    name = "Date",
    specified_by_url = "https://www.rfc-editor.org/rfc/rfc3339#section-5.6"
)]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        let Value::String(text) = &value else {
            return Err(InputValueError::expected_type(value));
        };
        let date = NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map_err(|_| InputValueError::custom("expected a date as YYYY-MM-DD"))?;
        in_range(date)?;
        Ok(Self(date))
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

impl From<NaiveDate> for Date {
    fn from(date: NaiveDate) -> Self {
        Self(date)
    }
}

/// The earliest and latest years a date or instant may name. Beyond them a date is surely a
/// typo, and SQLite, which compares dates as text, would misorder a year of five digits.
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=9999;

fn in_range<T: async_graphql::InputType>(date: NaiveDate) -> Result<(), InputValueError<T>> {
    use chrono::Datelike;
    if YEARS.contains(&date.year()) {
        Ok(())
    } else {
        Err(InputValueError::custom(format!(
            "expected a year between {} and {}",
            YEARS.start(),
            YEARS.end()
        )))
    }
}

/// The current instant. One place to read the clock.
pub fn now() -> chrono::DateTime<Utc> {
    Utc::now()
}
