//! A sponsorship's status, derived from its stored state and dates when read.

use async_graphql::Enum;
use chrono::NaiveDate;
use entity::sponsorship;
use sea_orm::{ColumnTrait, Condition};

/// Where a sponsorship stands.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum SponsorshipStatus {
    /// Recorded, not yet started.
    Pending,
    /// Running: the sponsor is listed and holds a Sponsor membership.
    Active,
    /// Past its end date.
    Lapsed,
    /// Ended early by the treasurer.
    Cancelled,
}

/// The stored states.
pub mod stored {
    pub const ACTIVE: &str = "ACTIVE";
    pub const CANCELLED: &str = "CANCELLED";
}

/// The status of `row` on `today`.
pub fn effective(row: &sponsorship::Model, today: NaiveDate) -> SponsorshipStatus {
    if row.status == stored::CANCELLED {
        SponsorshipStatus::Cancelled
    } else if row.starts_on > today {
        SponsorshipStatus::Pending
    } else if row.ends_on < today {
        SponsorshipStatus::Lapsed
    } else {
        SponsorshipStatus::Active
    }
}

/// The SQL condition for sponsorships running on `today`.
pub fn active_on(today: NaiveDate) -> Condition {
    Condition::all()
        .add(sponsorship::Column::Status.eq(stored::ACTIVE))
        .add(sponsorship::Column::StartsOn.lte(today))
        .add(sponsorship::Column::EndsOn.gte(today))
}
