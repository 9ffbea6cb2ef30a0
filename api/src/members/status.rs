//! A membership's status, derived from what is stored and today's date, so that it is right
//! whenever it is read, with no background job to run.
//!
//! Stored `ACTIVE` with an end date: active through `ends_on`, then `GRACE` for the policy's
//! grace period, then `EXPIRED`. Stored `GRACE` (a Mirror membership that lost its last verified
//! mirror) runs its grace period from `grace_from`. A suspension or termination notice takes
//! effect on its date. The same rules exist twice, as a function for one row and as a SQL
//! condition for filtering lists; a test holds them together.

use async_graphql::Enum;
use chrono::{Days, NaiveDate};
use entity::membership::{self, MembershipState, NoticeKind};
use sea_orm::{ColumnTrait, Condition};

/// The status of a membership as clients see it.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum MembershipStatus {
    /// In good standing: may vote.
    Active,
    /// Past its end (or a Mirror membership without a verified mirror): keeps access, does not
    /// vote, until the grace period ends.
    Grace,
    /// Lapsed after the grace period; renewal makes it active again.
    Expired,
    /// Suspended by the committee, after notice, with a reason.
    Suspended,
    /// Ended by the committee, after notice, with a reason.
    Terminated,
}

/// What a notice of `kind` makes of the membership once it takes effect.
impl From<NoticeKind> for MembershipStatus {
    fn from(kind: NoticeKind) -> Self {
        match kind {
            NoticeKind::Suspend => Self::Suspended,
            NoticeKind::Terminate => Self::Terminated,
        }
    }
}

fn days(n: i32) -> Days {
    Days::new(u64::try_from(n.max(0)).unwrap_or(0))
}

/// The status of `row` on `today`, with a grace period of `grace_days`.
pub fn effective(row: &membership::Model, today: NaiveDate, grace_days: i32) -> MembershipStatus {
    let grace_start = match row.status {
        MembershipState::Terminated => return MembershipStatus::Terminated,
        MembershipState::Suspended => return MembershipStatus::Suspended,
        MembershipState::Grace => row.grace_from,
        MembershipState::Active => row
            .ends_on
            .and_then(|end| end.checked_add_days(Days::new(1))),
    };
    if let (Some(kind), Some(on)) = (row.notice_kind, row.notice_effective_on)
        && on <= today
    {
        return kind.into();
    }
    match grace_start {
        Some(start) if today >= start => {
            let grace_end = start.checked_add_days(days(grace_days)).unwrap_or(start);
            if today < grace_end {
                MembershipStatus::Grace
            } else {
                MembershipStatus::Expired
            }
        }
        _ => MembershipStatus::Active,
    }
}

/// The SQL condition selecting memberships whose status on `today` is `status`.
pub fn condition(status: MembershipStatus, today: NaiveDate, grace_days: i32) -> Condition {
    use entity::membership::Column as C;
    let grace_cutoff = today.checked_sub_days(days(grace_days)).unwrap_or(today);
    let notice_due = Condition::all()
        .add(C::NoticeKind.is_not_null())
        .add(C::NoticeEffectiveOn.lte(today));
    let no_notice_due = Condition::any()
        .add(C::NoticeEffectiveOn.is_null())
        .add(C::NoticeEffectiveOn.gt(today));
    let running = Condition::all()
        .add(C::Status.is_in([MembershipState::Active, MembershipState::Grace]))
        .add(no_notice_due);
    let active = |cond: Condition| {
        Condition::all()
            .add(C::Status.eq(MembershipState::Active))
            .add(cond)
    };
    let grace = |cond: Condition| {
        Condition::all()
            .add(C::Status.eq(MembershipState::Grace))
            .add(cond)
    };
    match status {
        MembershipStatus::Terminated => Condition::any()
            .add(C::Status.eq(MembershipState::Terminated))
            .add(
                Condition::all()
                    .add(C::Status.is_in([MembershipState::Active, MembershipState::Grace]))
                    .add(notice_due.clone())
                    .add(C::NoticeKind.eq(NoticeKind::Terminate)),
            ),
        MembershipStatus::Suspended => Condition::any()
            .add(C::Status.eq(MembershipState::Suspended))
            .add(
                Condition::all()
                    .add(C::Status.is_in([MembershipState::Active, MembershipState::Grace]))
                    .add(notice_due)
                    .add(C::NoticeKind.eq(NoticeKind::Suspend)),
            ),
        MembershipStatus::Active => running.add(
            Condition::any()
                .add(active(
                    Condition::any()
                        .add(C::EndsOn.is_null())
                        .add(C::EndsOn.gte(today)),
                ))
                .add(grace(
                    Condition::any()
                        .add(C::GraceFrom.is_null())
                        .add(C::GraceFrom.gt(today)),
                )),
        ),
        MembershipStatus::Grace => running.add(
            Condition::any()
                .add(active(
                    Condition::all()
                        .add(C::EndsOn.lt(today))
                        .add(C::EndsOn.gte(grace_cutoff)),
                ))
                .add(grace(
                    Condition::all()
                        .add(C::GraceFrom.lte(today))
                        .add(C::GraceFrom.gt(grace_cutoff)),
                )),
        ),
        MembershipStatus::Expired => running.add(
            Condition::any()
                .add(active(Condition::all().add(C::EndsOn.lt(grace_cutoff))))
                .add(grace(Condition::all().add(C::GraceFrom.lte(grace_cutoff)))),
        ),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use chrono::Utc;

    pub(crate) fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    /// A Contributor membership with weight 1, disclosed, and no notice.
    pub(crate) fn row(
        status: MembershipState,
        ends_on: Option<&str>,
        grace_from: Option<&str>,
    ) -> membership::Model {
        membership::Model {
            id: uuid::Uuid::nil(),
            class_key: membership::MembershipClassKey::Contributor,
            holder_key: "account:x".into(),
            holder_account_id: None,
            holder_organization_id: None,
            status,
            since: date("2025-01-01"),
            ends_on: ends_on.map(date),
            grace_from: grace_from.map(date),
            vote_weight: 1,
            disclose: true,
            notice_kind: None,
            notice_reason: None,
            notice_effective_on: None,
            notice_response: None,
            status_reason: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn an_active_membership_lapses_through_grace_to_expired() {
        let m = row(MembershipState::Active, Some("2026-01-31"), None);
        assert_eq!(
            effective(&m, date("2026-01-31"), 30),
            MembershipStatus::Active
        );
        assert_eq!(
            effective(&m, date("2026-02-01"), 30),
            MembershipStatus::Grace
        );
        assert_eq!(
            effective(&m, date("2026-03-02"), 30),
            MembershipStatus::Grace
        );
        assert_eq!(
            effective(&m, date("2026-03-03"), 30),
            MembershipStatus::Expired
        );
    }

    #[test]
    fn a_notice_takes_effect_on_its_date() {
        let mut m = row(MembershipState::Active, Some("2027-01-01"), None);
        m.notice_kind = Some(NoticeKind::Suspend);
        m.notice_effective_on = Some(date("2026-12-25"));
        assert_eq!(
            effective(&m, date("2026-12-24"), 30),
            MembershipStatus::Active
        );
        assert_eq!(
            effective(&m, date("2026-12-25"), 30),
            MembershipStatus::Suspended
        );
    }

    #[test]
    fn a_mirror_membership_in_stored_grace_expires_after_the_period() {
        let m = row(MembershipState::Grace, None, Some("2026-11-01"));
        assert_eq!(
            effective(&m, date("2026-11-30"), 30),
            MembershipStatus::Grace
        );
        assert_eq!(
            effective(&m, date("2026-12-01"), 30),
            MembershipStatus::Expired
        );
    }
}
