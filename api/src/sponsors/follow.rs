//! Keeping the world in step with sponsorships: the Sponsor membership follows them, and lapses
//! become activity. Idempotent, so any replica may run it at any time.

use chrono::{Days, NaiveDate, NaiveTime, Utc};
use entity::{
    membership,
    prelude::{Membership as Memberships, SponsorActivity, SponsorTier, Sponsorship},
    sponsor_activity, sponsorship,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::json;

use crate::{
    audit::{self, Actor, Entry},
    db::begin_write,
    error::{ApiError, ApiResult},
    ids,
    members::{
        classes::MembershipClassKey,
        db::{Grant, Term, grant_membership},
        holder::Holder,
    },
    sponsors::status::stored,
};

/// Activity kinds.
pub mod kind {
    pub const NEW_SPONSORSHIP: &str = "NEW_SPONSORSHIP";
    pub const RENEWAL: &str = "RENEWAL";
    pub const TIER_CHANGE: &str = "TIER_CHANGE";
    pub const LAPSED: &str = "LAPSED";
    pub const CANCELLED: &str = "CANCELLED";
}

/// Brings the sponsor's Sponsor membership in line with its sponsorships that have started: it
/// runs until the latest of their ends, at the weight of the latest one's tier, disclosed as
/// that one is. A membership's committee state (a notice) is left alone.
pub async fn follow_membership(
    tx: &DatabaseTransaction,
    actor: Actor,
    sponsor: Holder,
    today: NaiveDate,
) -> ApiResult<()> {
    let Some(latest) = Sponsorship::find()
        .filter(sponsorship::Column::SponsorKey.eq(sponsor.key()))
        .filter(sponsorship::Column::Status.ne(stored::CANCELLED))
        .filter(sponsorship::Column::StartsOn.lte(today))
        .order_by_desc(sponsorship::Column::EndsOn)
        .one(tx)
        .await?
    else {
        return cut_membership(tx, actor, sponsor, today).await;
    };
    let tier = SponsorTier::find_by_id(latest.tier_id)
        .one(tx)
        .await?
        .ok_or_else(|| ApiError::internal("a sponsorship's tier is missing"))?;
    let existing = sponsor_membership(tx, sponsor).await?;
    match existing {
        Some(current)
            if current.ends_on == Some(latest.ends_on)
                && current.vote_weight == tier.vote_weight
                && current.disclose == latest.disclose => {}
        Some(current) => {
            let mut row: membership::ActiveModel = current.into();
            row.ends_on = Set(Some(latest.ends_on));
            row.vote_weight = Set(tier.vote_weight);
            row.disclose = Set(latest.disclose);
            row.updated_at = Set(Utc::now());
            let row = row.update(tx).await?;
            audit::record(
                tx,
                Entry {
                    actor,
                    action: "membership.follows_sponsorship",
                    subject_kind: "Membership",
                    subject_id: row.id,
                    summary: json!({ "endsOn": row.ends_on, "voteWeight": row.vote_weight, "disclose": row.disclose, "sponsorship": latest.id }),
                },
            )
            .await?;
        }
        None => {
            grant_membership(
                tx,
                actor,
                Grant {
                    class: MembershipClassKey::Sponsor,
                    holder: sponsor,
                    disclose: latest.disclose,
                    vote_weight: tier.vote_weight,
                    term: Term::Until(latest.ends_on),
                },
            )
            .await?;
        }
    }
    Ok(())
}

/// With no sponsorship left, the membership's term ends yesterday, so it lapses into grace.
async fn cut_membership(
    tx: &DatabaseTransaction,
    actor: Actor,
    sponsor: Holder,
    today: NaiveDate,
) -> ApiResult<()> {
    let Some(current) = sponsor_membership(tx, sponsor).await? else {
        return Ok(());
    };
    let yesterday = today.checked_sub_days(Days::new(1)).unwrap_or(today);
    if current.ends_on.is_some_and(|end| end <= yesterday) {
        return Ok(());
    }
    let mut row: membership::ActiveModel = current.into();
    row.ends_on = Set(Some(yesterday));
    row.updated_at = Set(Utc::now());
    let row = row.update(tx).await?;
    audit::record(
        tx,
        Entry {
            actor,
            action: "membership.follows_sponsorship",
            subject_kind: "Membership",
            subject_id: row.id,
            summary: json!({ "endsOn": row.ends_on, "reason": "no sponsorship left" }),
        },
    )
    .await
}

async fn sponsor_membership(
    db: &impl ConnectionTrait,
    sponsor: Holder,
) -> ApiResult<Option<membership::Model>> {
    Ok(Memberships::find()
        .filter(membership::Column::ClassKey.eq(MembershipClassKey::Sponsor.as_str()))
        .filter(membership::Column::HolderKey.eq(sponsor.key()))
        .one(db)
        .await?)
}

/// Records an activity once; a second record of the same kind for a sponsorship is ignored.
pub async fn record_activity(
    db: &impl ConnectionTrait,
    sponsorship_id: uuid::Uuid,
    kind: &str,
    previous_tier_id: Option<uuid::Uuid>,
    occurred_at: chrono::DateTime<Utc>,
) -> ApiResult<()> {
    let row = sponsor_activity::ActiveModel {
        id: Set(ids::new_key()),
        sponsorship_id: Set(sponsorship_id),
        kind: Set(kind.to_owned()),
        previous_tier_id: Set(previous_tier_id),
        occurred_at: Set(occurred_at),
    };
    SponsorActivity::insert(row)
        .on_conflict_do_nothing_on([
            sponsor_activity::Column::SponsorshipId,
            sponsor_activity::Column::Kind,
        ])
        .exec(db)
        .await?;
    Ok(())
}

/// Catches up with the calendar: memberships for sponsorships that have started since they were
/// recorded, and a `LAPSED` activity for each sponsorship past its end. Cheap when there is
/// nothing to do: two reads.
pub async fn catch_up(db: &DatabaseConnection) -> ApiResult<()> {
    let today = Utc::now().date_naive();
    let started: Vec<sponsorship::Model> = Sponsorship::find()
        .filter(crate::sponsors::status::active_on(today))
        .all(db)
        .await?;
    let memberships: std::collections::HashMap<String, membership::Model> = Memberships::find()
        .filter(membership::Column::ClassKey.eq(MembershipClassKey::Sponsor.as_str()))
        .filter(membership::Column::HolderKey.is_in(started.iter().map(|s| s.sponsor_key.clone())))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.holder_key.clone(), m))
        .collect();
    for running in &started {
        let behind = memberships
            .get(&running.sponsor_key)
            .is_none_or(|m| m.ends_on.is_none_or(|end| end < running.ends_on));
        if behind {
            let sponsor =
                Holder::from_columns(running.sponsor_account_id, running.sponsor_organization_id)?;
            let tx = begin_write(db).await?;
            follow_membership(&tx, Actor::System, sponsor, today).await?;
            tx.commit().await?;
        }
    }
    let lapsed_without_activity = Sponsorship::find()
        .filter(sponsorship::Column::Status.eq(stored::ACTIVE))
        .filter(sponsorship::Column::EndsOn.lt(today))
        .all(db)
        .await?;
    if lapsed_without_activity.is_empty() {
        return Ok(());
    }
    let recorded: std::collections::HashSet<uuid::Uuid> = SponsorActivity::find()
        .filter(sponsor_activity::Column::Kind.eq(kind::LAPSED))
        .filter(
            sponsor_activity::Column::SponsorshipId
                .is_in(lapsed_without_activity.iter().map(|s| s.id)),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|activity| activity.sponsorship_id)
        .collect();
    for lapsed in lapsed_without_activity
        .iter()
        .filter(|s| !recorded.contains(&s.id))
    {
        let day_after = lapsed
            .ends_on
            .checked_add_days(Days::new(1))
            .unwrap_or(lapsed.ends_on);
        let at = day_after.and_time(NaiveTime::MIN).and_utc();
        record_activity(db, lapsed.id, kind::LAPSED, None, at).await?;
    }
    Ok(())
}
