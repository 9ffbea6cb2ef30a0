//! Creating and renewing memberships: the one path every class uses, Sponsor included.

use chrono::{Months, NaiveDate, Utc};
use entity::{membership, prelude::Membership as Memberships};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, QueryFilter,
    Set,
};
use serde_json::json;

use crate::{
    audit::{self, Actor, Entry},
    error::{ApiError, ApiResult, on_unique_violation},
    ids,
    members::{classes::MembershipClassKey, holder::Holder, status::stored},
};

/// What a new or renewed membership looks like.
pub struct Grant {
    pub class: MembershipClassKey,
    pub holder: Holder,
    pub disclose: bool,
    pub vote_weight: i32,
    /// How long the new term runs.
    pub term: Term,
}

/// The length of a membership's term.
#[derive(Clone, Copy, Debug)]
pub enum Term {
    /// This many months, added to the current end when that is still ahead, so that early
    /// renewal loses nothing.
    Months(i32),
    /// Until this day exactly: a Sponsor membership ends with its sponsorship.
    Until(NaiveDate),
}

/// Creates the holder's membership of the class, or renews the one it has: back to `ACTIVE`,
/// notices cleared, the term extended. One membership per entity per class, whatever happens.
pub async fn grant_membership(
    tx: &DatabaseTransaction,
    actor: Actor,
    grant: Grant,
) -> ApiResult<membership::Model> {
    let now = Utc::now();
    let existing = Memberships::find()
        .filter(membership::Column::ClassKey.eq(grant.class.as_str()))
        .filter(membership::Column::HolderKey.eq(grant.holder.key()))
        .one(tx)
        .await?;
    let today = now.date_naive();
    let ends_on = |current_end: Option<NaiveDate>| match grant.term {
        Term::Months(months) => {
            let base = current_end.map_or(today, |end| end.max(today));
            Some(months_from(base, months))
        }
        Term::Until(day) => Some(day),
    };
    if let Some(current) = &existing
        && crate::members::status::effective(current, today, 0)
            == crate::members::status::MembershipStatus::Terminated
    {
        return Err(ApiError::conflict(
            "this membership was terminated; it cannot be renewed or approved again",
        ));
    }
    let (row, action) = match existing {
        Some(current) => {
            let ends_on = ends_on(current.ends_on);
            let mut active = current.into_active_model();
            active.status = Set(stored::ACTIVE.to_owned());
            active.ends_on = Set(ends_on);
            active.grace_from = Set(None);
            active.notice_kind = Set(None);
            active.notice_reason = Set(None);
            active.notice_effective_on = Set(None);
            active.notice_response = Set(None);
            active.status_reason = Set(None);
            active.vote_weight = Set(grant.vote_weight);
            active.disclose = Set(grant.disclose);
            active.updated_at = Set(now);
            (active.update(tx).await?, "membership.renewed")
        }
        None => {
            let (holder_account_id, holder_organization_id) = grant.holder.columns();
            let row = membership::ActiveModel {
                id: Set(ids::new_key()),
                class_key: Set(grant.class.as_str().to_owned()),
                holder_key: Set(grant.holder.key()),
                holder_account_id: Set(holder_account_id),
                holder_organization_id: Set(holder_organization_id),
                status: Set(stored::ACTIVE.to_owned()),
                since: Set(today),
                ends_on: Set(ends_on(None)),
                grace_from: Set(None),
                vote_weight: Set(grant.vote_weight),
                disclose: Set(grant.disclose),
                notice_kind: Set(None),
                notice_reason: Set(None),
                notice_effective_on: Set(None),
                notice_response: Set(None),
                status_reason: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(tx)
            .await
            .map_err(|err| {
                on_unique_violation(err, || {
                    ApiError::conflict("this entity already holds a membership of this class")
                })
            })?;
            (row, "membership.created")
        }
    };
    audit::record(
        tx,
        Entry {
            actor,
            action,
            subject_kind: "Membership",
            subject_id: row.id,
            summary: json!({
                "class": row.class_key,
                "holder": row.holder_key,
                "endsOn": row.ends_on,
                "voteWeight": row.vote_weight,
                "disclose": row.disclose,
            }),
        },
    )
    .await?;
    Ok(row)
}

/// `today` plus `months`, saturating at today.
pub fn months_from(today: NaiveDate, months: i32) -> NaiveDate {
    today
        .checked_add_months(Months::new(u32::try_from(months.max(0)).unwrap_or(0)))
        .unwrap_or(today)
}
