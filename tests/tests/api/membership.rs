//! Membership: applying, reviewing, the lifecycle, and the rules for each role.

mod applications;
mod lifecycle;
mod mirrors;
mod own_case;

pub(super) const CLASSES: &str = "{ membershipClasses { key name voteWeight paid approvedBy } }";

pub(super) const APPLICATIONS: &str =
    "{ applications { totalCount nodes { id status class { key } statement } } }";
pub(super) const APPLY: &str = "mutation($input: ApplyForMembershipInput!) {
  applyForMembership(input: $input) { application { id status } }
}";

pub(super) const OWN_MIRROR: &str = "You cannot check your own mirror (one you own or registered, or your organization's); another member of the Technology Committee or an administrator must.";

pub(super) const MEMBERSHIP: &str = "query($id: ID!) { node(id: $id) { ... on Membership {
  id status expiresOn disclosed voteWeight class { key } notice { kind reason response }
} } }";

pub(super) fn days_ago(days: u64) -> chrono::NaiveDate {
    chrono::Utc::now()
        .date_naive()
        .checked_sub_days(chrono::Days::new(days))
        .expect("date")
}

pub(super) fn months_ahead(months: u32) -> chrono::NaiveDate {
    chrono::Utc::now()
        .date_naive()
        .checked_add_months(chrono::Months::new(months))
        .expect("date")
}

/// An instant `months` ago, as both databases read a timestamp.
pub(super) fn months_ago_at(months: u32) -> String {
    chrono::Utc::now()
        .checked_sub_months(chrono::Months::new(months))
        .expect("date")
        .format("%Y-%m-%d %H:%M:%S+00:00")
        .to_string()
}
