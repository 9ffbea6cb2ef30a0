//! Dated mail about memberships: renewal due within 30 days, grace started, expired. Run by the
//! daily scheduler; each message has a key of (kind, membership, date), so a run after downtime
//! catches up and no run sends one twice.

use chrono::{Days, NaiveDate};
use entity::{
    membership::{self, MembershipClassKey, MembershipState},
    prelude::Membership as Memberships,
};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter};

use crate::{
    db::Tx,
    error::ApiResult,
    holders::Holder,
    members::status::{MembershipStatus, effective},
    notifications::mail::{self, Mail, To},
    policy,
};

/// How far ahead a renewal reminder goes out, and how far back a missed notice is still sent.
const WINDOW_DAYS: u64 = 30;

/// What one run queued.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Reminded {
    pub renewals_due: usize,
    pub graces_started: usize,
    pub expired: usize,
}

/// The class as people read it: `Contributor`.
pub fn class_name(class: MembershipClassKey) -> &'static str {
    match class {
        MembershipClassKey::Contributor => "Contributor",
        MembershipClassKey::Mirror => "Mirror",
        MembershipClassKey::Sponsor => "Sponsor",
    }
}

/// Queues every reminder due on `today` that was not queued before, in the caller's
/// transaction.
pub async fn queue_due(tx: &Tx, today: NaiveDate) -> ApiResult<Reminded> {
    let grace_days = policy::current(tx).await?.grace_period_days;
    let grace = Days::new(u64::try_from(grace_days.max(0)).unwrap_or(0));
    let ahead = today
        .checked_add_days(Days::new(WINDOW_DAYS))
        .unwrap_or(today);
    let back = today
        .checked_sub_days(Days::new(WINDOW_DAYS + 1))
        .and_then(|day| day.checked_sub_days(grace))
        .unwrap_or(today);
    use membership::Column as C;
    let rows = Memberships::find()
        .filter(C::Status.is_in([MembershipState::Active, MembershipState::Grace]))
        .filter(
            Condition::any()
                .add(C::EndsOn.between(back, ahead))
                .add(C::GraceFrom.between(back, ahead)),
        )
        .all(tx)
        .await?;
    let mut done = Reminded::default();
    let since = today
        .checked_sub_days(Days::new(WINDOW_DAYS))
        .unwrap_or(today);
    for row in rows {
        let to = [To::Holder(Holder::from_columns(
            row.holder_account_id,
            row.holder_organization_id,
        )?)];
        let class = class_name(row.class_key).to_owned();
        let grace_start = match row.status {
            MembershipState::Grace => row.grace_from,
            _ => row
                .ends_on
                .and_then(|end| end.checked_add_days(Days::new(1))),
        };
        let Some(grace_start) = grace_start else {
            continue;
        };
        let grace_end = grace_start.checked_add_days(grace).unwrap_or(grace_start);
        match effective(&row, today, grace_days) {
            MembershipStatus::Active => {
                if let Some(ends_on) = row.ends_on.filter(|end| *end >= today && *end <= ahead)
                    && row.status == MembershipState::Active
                {
                    let mail = Mail::RenewalDue { class, ends_on };
                    if mail::queue(tx, &to, &mail, Some((row.id, ends_on))).await? > 0 {
                        done.renewals_due += 1;
                    }
                }
            }
            MembershipStatus::Grace if grace_start >= since => {
                let mail = Mail::GraceStarted {
                    class,
                    grace_ends_on: grace_end,
                };
                if mail::queue(tx, &to, &mail, Some((row.id, grace_start))).await? > 0 {
                    done.graces_started += 1;
                }
            }
            MembershipStatus::Expired if grace_end >= since => {
                let mail = Mail::MembershipExpired { class };
                if mail::queue(tx, &to, &mail, Some((row.id, grace_end))).await? > 0 {
                    done.expired += 1;
                }
            }
            _ => {}
        }
    }
    Ok(done)
}
