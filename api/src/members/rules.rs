//! The rules that decide what a membership becomes when what it follows changes: a Sponsor
//! membership follows its sponsor's sponsorships, a Mirror membership its holder's mirrors.
//! Pure functions of rows already read, so that the commands (`commands/follow.rs`) only read,
//! decide and write. How a stored membership reads on a given day is `status.rs`.

use chrono::{Days, Months, NaiveDate, Utc};
use entity::{
    membership::{self, MembershipState},
    mirror::{self, MirrorStatus},
    mirror_verification::VerificationOutcome,
};
use sea_orm::{ColumnTrait, Condition};
use uuid::Uuid;

use crate::holders::Holder;

/// `today` plus `months`, saturating at today.
pub fn months_from(today: NaiveDate, months: i32) -> NaiveDate {
    today
        .checked_add_months(Months::new(u32::try_from(months.max(0)).unwrap_or(0)))
        .unwrap_or(today)
}

/// The status of a mirror row now: a verified mirror whose re-check is overdue is stale. A
/// Mirror membership stays active while one of its holder's mirrors is verified now, so the
/// rule lives with the membership's; the mirror's own GraphQL type reads it too.
pub fn mirror_status_now(row: &mirror::Model, recheck_months: i32) -> MirrorStatus {
    match row.status {
        MirrorStatus::Verified => {
            let overdue = row
                .last_verified_at
                .zip(recheck_cutoff(recheck_months))
                .is_some_and(|(at, cutoff)| at < cutoff);
            if overdue {
                MirrorStatus::Stale
            } else {
                MirrorStatus::Verified
            }
        }
        status @ (MirrorStatus::Pending | MirrorStatus::Rejected | MirrorStatus::Stale) => status,
    }
}

/// The oldest last check that still keeps a mirror verified now. [`mirror_status_now`] and
/// [`mirror_verified_now`] both read it, so that the row and the list agree to the instant.
fn recheck_cutoff(recheck_months: i32) -> Option<chrono::DateTime<Utc>> {
    let months = Months::new(u32::try_from(recheck_months.max(0)).unwrap_or(0));
    Utc::now().checked_sub_months(months)
}

/// The SQL condition selecting the mirrors whose status now is `VERIFIED`: stored as verified,
/// and not overdue for their re-check.
pub fn mirror_verified_now(recheck_months: i32) -> Condition {
    let checked_lately = match recheck_cutoff(recheck_months) {
        Some(cutoff) => Condition::any()
            .add(mirror::Column::LastVerifiedAt.is_null())
            .add(mirror::Column::LastVerifiedAt.gte(cutoff)),
        None => Condition::all(),
    };
    Condition::all()
        .add(mirror::Column::Status.eq(MirrorStatus::Verified))
        .add(checked_lately)
}

/// What a Mirror membership does after a check of one of its holder's mirrors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MirrorFollow {
    /// Nothing changes.
    Unchanged,
    /// A good check renews it, back to `ACTIVE`, through the next re-check at least.
    Renew { ends_on: NaiveDate },
    /// The holder has no verified mirror left: its grace period starts today.
    Grace { from: NaiveDate },
}

/// What a check with `outcome` makes of `current`, the holder's running Mirror membership.
/// `others_verified` says whether another of the holder's mirrors is verified now (it matters
/// only to a failed check).
pub fn mirror_follow(
    current: &membership::Model,
    outcome: VerificationOutcome,
    others_verified: bool,
    recheck_months: i32,
    today: NaiveDate,
) -> MirrorFollow {
    match outcome {
        VerificationOutcome::Verified => {
            let next = months_from(today, recheck_months);
            MirrorFollow::Renew {
                ends_on: current.ends_on.map_or(next, |end| end.max(next)),
            }
        }
        VerificationOutcome::Rejected => {
            if others_verified || current.status == MembershipState::Grace {
                MirrorFollow::Unchanged
            } else {
                MirrorFollow::Grace { from: today }
            }
        }
    }
}

/// What a sponsor's sponsorships say of its Sponsor membership, as the sponsors module reads
/// them.
#[derive(Clone, Copy, Debug)]
pub struct SponsorStanding {
    pub sponsor: Holder,
    /// Whether the sponsor consents to be shown: the membership's disclosure follows it.
    pub disclose: bool,
    /// The latest of its sponsorships that have started (not cancelled), if any.
    pub latest: Option<Started>,
}

/// A sponsorship that has started, as its Sponsor membership follows it.
#[derive(Clone, Copy, Debug)]
pub struct Started {
    pub sponsorship_id: Uuid,
    /// The sponsorship's end date: the first day it no longer runs.
    pub ends_on: NaiveDate,
    /// Its tier's vote weight.
    pub vote_weight: i32,
}

/// The last day a Sponsor membership following a sponsorship ending on `ends_on` runs: the day
/// before, since a membership's end date is its last day. (`sponsors::follow` asks the
/// database the same, for many sponsorships at once.)
pub fn sponsor_last_day(ends_on: NaiveDate) -> NaiveDate {
    ends_on.checked_sub_days(Days::new(1)).unwrap_or(ends_on)
}

/// What a Sponsor membership does to follow its sponsor's sponsorships.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SponsorFollow {
    /// It is in step already (or there is none, and no sponsorship has started).
    Unchanged,
    /// The sponsor holds none yet: a new one running through `ends_on`.
    Create {
        ends_on: NaiveDate,
        vote_weight: i32,
        disclose: bool,
    },
    /// `membership` runs through the latest started sponsorship's last day, at that one's
    /// tier's weight.
    Follow {
        membership: membership::Model,
        ends_on: NaiveDate,
        vote_weight: i32,
        disclose: bool,
        sponsorship_id: Uuid,
    },
    /// No sponsorship running or past: `membership`'s term ends yesterday (`ends_on`, when it
    /// has not ended already), so it lapses into grace; its disclosure still follows the
    /// consent.
    Cut {
        membership: membership::Model,
        ends_on: Option<NaiveDate>,
        disclose: bool,
    },
}

/// What `current`, the sponsor's Sponsor membership if it holds one, does on `today` to follow
/// `standing`. A committee's notice on it is left alone.
pub fn sponsor_follow(
    standing: &SponsorStanding,
    current: Option<membership::Model>,
    today: NaiveDate,
) -> SponsorFollow {
    let disclose = standing.disclose;
    let Some(latest) = standing.latest else {
        let Some(current) = current else {
            return SponsorFollow::Unchanged;
        };
        let yesterday = today.checked_sub_days(Days::new(1)).unwrap_or(today);
        let ended = current.ends_on.is_some_and(|end| end <= yesterday);
        if ended && current.disclose == disclose {
            return SponsorFollow::Unchanged;
        }
        return SponsorFollow::Cut {
            membership: current,
            ends_on: (!ended).then_some(yesterday),
            disclose,
        };
    };
    let ends_on = sponsor_last_day(latest.ends_on);
    match current {
        None => SponsorFollow::Create {
            ends_on,
            vote_weight: latest.vote_weight,
            disclose,
        },
        Some(current)
            if current.ends_on == Some(ends_on)
                && current.vote_weight == latest.vote_weight
                && current.disclose == disclose =>
        {
            SponsorFollow::Unchanged
        }
        Some(current) => SponsorFollow::Follow {
            membership: current,
            ends_on,
            vote_weight: latest.vote_weight,
            disclose,
            sponsorship_id: latest.sponsorship_id,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::members::status::tests::{date, row};

    fn sponsor_membership(ends_on: &str, vote_weight: i32, disclose: bool) -> membership::Model {
        let mut row = row(MembershipState::Active, Some(ends_on), None);
        row.class_key = membership::MembershipClassKey::Sponsor;
        row.vote_weight = vote_weight;
        row.disclose = disclose;
        row
    }

    fn standing(latest: Option<(&str, i32)>, disclose: bool) -> SponsorStanding {
        SponsorStanding {
            sponsor: Holder::Organization(Uuid::nil()),
            disclose,
            latest: latest.map(|(ends_on, vote_weight)| Started {
                sponsorship_id: Uuid::nil(),
                ends_on: date(ends_on),
                vote_weight,
            }),
        }
    }

    #[test]
    fn a_started_sponsorship_creates_the_membership_through_its_last_day() {
        let follow = sponsor_follow(
            &standing(Some(("2027-01-01", 3)), true),
            None,
            date("2026-06-01"),
        );
        assert_eq!(
            follow,
            SponsorFollow::Create {
                ends_on: date("2026-12-31"),
                vote_weight: 3,
                disclose: true
            }
        );
    }

    #[test]
    fn a_membership_in_step_is_left_alone_and_one_behind_follows() {
        let today = date("2026-06-01");
        let in_step = sponsor_membership("2026-12-31", 3, true);
        let says = standing(Some(("2027-01-01", 3)), true);
        assert_eq!(
            sponsor_follow(&says, Some(in_step), today),
            SponsorFollow::Unchanged
        );
        let behind = sponsor_membership("2026-05-31", 3, true);
        assert!(matches!(
            sponsor_follow(&says, Some(behind), today),
            SponsorFollow::Follow { ends_on, .. } if ends_on == date("2026-12-31")
        ));
    }

    #[test]
    fn with_no_sponsorship_left_the_term_ends_yesterday_once() {
        let today = date("2026-06-01");
        let running = sponsor_membership("2026-12-31", 3, true);
        assert!(matches!(
            sponsor_follow(&standing(None, true), Some(running), today),
            SponsorFollow::Cut { ends_on: Some(day), disclose: true, .. } if day == date("2026-05-31")
        ));
        let ended = sponsor_membership("2026-05-31", 3, true);
        assert_eq!(
            sponsor_follow(&standing(None, true), Some(ended.clone()), today),
            SponsorFollow::Unchanged
        );
        assert!(matches!(
            sponsor_follow(&standing(None, false), Some(ended), today),
            SponsorFollow::Cut {
                ends_on: None,
                disclose: false,
                ..
            }
        ));
    }

    #[test]
    fn a_failed_check_starts_grace_only_without_another_verified_mirror() {
        let today = date("2026-06-01");
        let mut current = sponsor_membership("2026-12-31", 1, true);
        current.class_key = membership::MembershipClassKey::Mirror;
        let rejected = VerificationOutcome::Rejected;
        assert_eq!(
            mirror_follow(&current, rejected, true, 6, today),
            MirrorFollow::Unchanged
        );
        assert_eq!(
            mirror_follow(&current, rejected, false, 6, today),
            MirrorFollow::Grace { from: today }
        );
        assert_eq!(
            mirror_follow(&current, VerificationOutcome::Verified, false, 6, today),
            MirrorFollow::Renew {
                ends_on: date("2026-12-31")
            }
        );
    }
}
