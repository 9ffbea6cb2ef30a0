//! Sponsors: tiers, the treasurer's ledger, the public list and its feeds, and the Sponsor
//! membership that follows a sponsorship.

mod catch_up;
mod consent;
mod feeds;
mod idempotency;
mod ledger;
mod public_list;
mod tiers;

use chrono::{Days, NaiveDate, Utc};
use serde_json::Value;

pub(super) fn today() -> NaiveDate {
    Utc::now().date_naive()
}

pub(super) fn days_ago(n: u64) -> NaiveDate {
    today().checked_sub_days(Days::new(n)).expect("date")
}

pub(super) const LIST: &str = "query($tier: ID, $first: Int, $after: String) {
  sponsors(tier: $tier, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id displayName websiteUrl logoUrl sponsorSince tier { id name rank } }
  }
}";

pub(super) fn names(response: &Value) -> Vec<&str> {
    response["sponsors"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|node| node["displayName"].as_str().unwrap_or_default())
        .collect()
}
