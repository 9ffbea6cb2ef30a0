//! A sponsorship's status, derived from its stored state and dates when read. A sponsorship runs
//! from its start date up to its end date: on `starts_on` it is active, on `ends_on` it has
//! lapsed, so that from a date to the same date a year later is exactly one year.

use async_graphql::Enum;
use chrono::NaiveDate;
use entity::sponsorship;
use sea_orm::{ColumnTrait, Condition};

pub use entity::sponsorship::SponsorshipState;

/// Where a sponsorship stands.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum SponsorshipStatus {
    /// Recorded, not yet started.
    Pending,
    /// Running: the sponsor is listed and holds a Sponsor membership.
    Active,
    /// Its end date has come.
    Lapsed,
    /// Ended early by the treasurer.
    Cancelled,
}

/// The status of `row` on `today`.
pub fn effective(row: &sponsorship::Model, today: NaiveDate) -> SponsorshipStatus {
    match row.status {
        SponsorshipState::Cancelled => SponsorshipStatus::Cancelled,
        SponsorshipState::Active if row.starts_on > today => SponsorshipStatus::Pending,
        SponsorshipState::Active if row.ends_on <= today => SponsorshipStatus::Lapsed,
        SponsorshipState::Active => SponsorshipStatus::Active,
    }
}

/// The SQL condition for sponsorships running on `today`.
pub fn active_on(today: NaiveDate) -> Condition {
    Condition::all()
        .add(sponsorship::Column::Status.eq(SponsorshipState::Active))
        .add(sponsorship::Column::StartsOn.lte(today))
        .add(sponsorship::Column::EndsOn.gt(today))
}

/// The SQL condition for sponsorships not cancelled whose end date has come by `today`.
pub fn lapsed_by(today: NaiveDate) -> Condition {
    Condition::all()
        .add(sponsorship::Column::Status.eq(SponsorshipState::Active))
        .add(sponsorship::Column::EndsOn.lte(today))
}

/// The SQL condition for sponsorships with `status` on `today`, as [`effective`] derives it.
pub fn condition(status: SponsorshipStatus, today: NaiveDate) -> Condition {
    match status {
        SponsorshipStatus::Pending => Condition::all()
            .add(sponsorship::Column::Status.eq(SponsorshipState::Active))
            .add(sponsorship::Column::StartsOn.gt(today)),
        SponsorshipStatus::Active => active_on(today),
        SponsorshipStatus::Lapsed => lapsed_by(today),
        SponsorshipStatus::Cancelled => {
            Condition::all().add(sponsorship::Column::Status.eq(SponsorshipState::Cancelled))
        }
    }
}
