//! Keeping the world in step with sponsorships: the Sponsor membership follows them, and lapses
//! become activity. The calendar moves without anyone writing, so a background job
//! ([`catch_up`]) and commands that need fresh state ([`catch_up_in`]) bring it up to date;
//! reads never do.

use crate::audit::{AuditAction, SubjectKind};
use crate::db::Tx;
use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Days, NaiveDate, NaiveTime, Utc};
use entity::{
    membership,
    prelude::{Membership as Memberships, SponsorActivity, SponsorTier, Sponsorship},
    sponsor_activity::{self, SponsorActivityKind},
    sponsorship,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    QueryFilter, QueryOrder, Set, Statement, TryInsertResult,
};
use serde_json::json;
use uuid::Uuid;

use crate::{
    audit::{self, Actor, Entry},
    db::{begin_write, lock_key},
    error::{ApiError, ApiResult},
    ids,
    members::{
        classes::MembershipClassKey,
        db::{Grant, Term, grant_membership},
        holder::Holder,
    },
    notifications::outbox::WebhookEvent,
    sponsors::{
        consent, events,
        status::{SponsorshipState, active_on, lapsed_by},
    },
};

/// Brings the sponsor's Sponsor membership in line with its sponsorships that have started: it
/// runs through the last day of the latest of them, at the weight of that one's tier, disclosed
/// as the sponsor consents. A membership's committee state (a notice) is left alone. Call it
/// holding the sponsor's lock. Returns whether it changed anything.
pub async fn follow_membership(
    tx: &Tx,
    actor: Actor,
    sponsor: Holder,
    today: NaiveDate,
) -> ApiResult<bool> {
    let disclose = consent::of(tx, &sponsor.key()).await?.unwrap_or(false);
    let Some(latest) = Sponsorship::find()
        .filter(sponsorship::Column::SponsorKey.eq(sponsor.key()))
        .filter(sponsorship::Column::Status.ne(SponsorshipState::Cancelled))
        .filter(sponsorship::Column::StartsOn.lte(today))
        .order_by_desc(sponsorship::Column::EndsOn)
        .one(tx)
        .await?
    else {
        return cut_membership(tx, actor, sponsor, today, disclose).await;
    };
    let tier = SponsorTier::find_by_id(latest.tier_id)
        .one(tx)
        .await
        .map_err(crate::error::corrupt_row("sponsor_tiers", latest.tier_id))?
        .ok_or_else(|| ApiError::internal("a sponsorship's tier is missing"))?;
    let last_day = last_day(latest.ends_on);
    match sponsor_membership(tx, sponsor).await? {
        Some(current)
            if current.ends_on == Some(last_day)
                && current.vote_weight == tier.vote_weight
                && current.disclose == disclose =>
        {
            Ok(false)
        }
        Some(current) => {
            let mut row: membership::ActiveModel = current.into();
            row.ends_on = Set(Some(last_day));
            row.vote_weight = Set(tier.vote_weight);
            row.disclose = Set(disclose);
            row.updated_at = Set(Utc::now());
            let row = row.update(tx).await?;
            audit::record(
                tx,
                Entry {
                    actor,
                    action: AuditAction::MembershipFollowsSponsorship,
                    subject_kind: SubjectKind::Membership,
                    subject_id: row.id,
                    summary: json!({ "endsOn": row.ends_on, "voteWeight": row.vote_weight, "disclose": row.disclose, "sponsorship": latest.id }),
                },
            )
            .await?;
            Ok(true)
        }
        None => {
            grant_membership(
                tx,
                actor,
                Grant {
                    class: MembershipClassKey::Sponsor,
                    holder: sponsor,
                    disclose,
                    vote_weight: tier.vote_weight,
                    term: Term::Until(last_day),
                },
            )
            .await?;
            Ok(true)
        }
    }
}

/// The last day a sponsorship ending on `ends_on` runs: the day before. A membership's end date
/// is its last day.
fn last_day(ends_on: NaiveDate) -> NaiveDate {
    ends_on.checked_sub_days(Days::new(1)).unwrap_or(ends_on)
}

/// With no sponsorship running or past, the membership's term ends yesterday, so it lapses into
/// grace; its disclosure still follows the sponsor's consent.
async fn cut_membership(
    tx: &Tx,
    actor: Actor,
    sponsor: Holder,
    today: NaiveDate,
    disclose: bool,
) -> ApiResult<bool> {
    let Some(current) = sponsor_membership(tx, sponsor).await? else {
        return Ok(false);
    };
    let yesterday = today.checked_sub_days(Days::new(1)).unwrap_or(today);
    let ended = current.ends_on.is_some_and(|end| end <= yesterday);
    if ended && current.disclose == disclose {
        return Ok(false);
    }
    let mut row: membership::ActiveModel = current.into();
    if !ended {
        row.ends_on = Set(Some(yesterday));
    }
    row.disclose = Set(disclose);
    row.updated_at = Set(Utc::now());
    let row = row.update(tx).await?;
    audit::record(
        tx,
        Entry {
            actor,
            action: AuditAction::MembershipFollowsSponsorship,
            subject_kind: SubjectKind::Membership,
            subject_id: row.id,
            summary: json!({ "endsOn": row.ends_on, "disclose": row.disclose, "reason": "no sponsorship left" }),
        },
    )
    .await?;
    Ok(true)
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
/// Returns whether it was recorded now.
pub async fn record_activity(
    db: &impl ConnectionTrait,
    sponsorship_id: Uuid,
    kind: SponsorActivityKind,
    previous_tier_id: Option<Uuid>,
    occurred_at: DateTime<Utc>,
) -> ApiResult<bool> {
    let row = entity::sponsor_activity::ActiveModel {
        id: Set(ids::new_key()),
        sponsorship_id: Set(sponsorship_id),
        kind: Set(kind),
        previous_tier_id: Set(previous_tier_id),
        occurred_at: Set(occurred_at),
    };
    let inserted = SponsorActivity::insert(row)
        .on_conflict_do_nothing_on([
            sponsor_activity::Column::SponsorshipId,
            sponsor_activity::Column::Kind,
        ])
        .exec(db)
        .await?;
    Ok(matches!(inserted, TryInsertResult::Inserted(_)))
}

/// When a sponsorship ending on `ends_on` lapsed: the start of that day.
pub fn lapsed_at(ends_on: NaiveDate) -> DateTime<Utc> {
    ends_on.and_time(NaiveTime::MIN).and_utc()
}

/// What one catch-up did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CaughtUp {
    /// Sponsors whose Sponsor membership lagged behind a running sponsorship and was brought in
    /// line by this run (not by a concurrent one).
    pub sponsors_followed: usize,
    /// `LAPSED` activities recorded.
    pub lapses_recorded: usize,
}

/// Catches up with the calendar inside the caller's transaction: memberships for sponsorships
/// that have started since they were recorded, and a `LAPSED` activity for each sponsorship
/// past its end. Cheap when there is nothing to do: a few reads.
///
/// It takes the lock of every sponsor it touches, as the sponsorship commands do, so it cannot
/// race them. Call it before the transaction's first write. The locks are all taken before the
/// first write and in one order: a writer that holds the audit chain while waiting for a sponsor
/// could otherwise deadlock with a command that holds that sponsor while waiting for the audit
/// chain.
#[tracing::instrument(skip_all)]
pub async fn catch_up_in(tx: &Tx) -> ApiResult<CaughtUp> {
    let today = Utc::now().date_naive();
    let behind = sponsors_behind(tx, today).await?;
    let lapsed = unrecorded_lapses(tx, today).await?;
    if behind.is_empty() && lapsed.is_empty() {
        return Ok(CaughtUp::default());
    }
    let keys: std::collections::BTreeSet<&str> = behind
        .keys()
        .map(String::as_str)
        .chain(lapsed.iter().map(|s| s.sponsor_key.as_str()))
        .collect();
    for key in keys {
        lock_key(tx, key).await?;
    }
    // Under the locks each sponsor is read again, so a run that waited for another one that did
    // the same work finds nothing left and writes nothing.
    let mut sponsors_followed = 0;
    for sponsor in behind.values() {
        if follow_membership(tx, Actor::System, *sponsor, today).await? {
            sponsors_followed += 1;
        }
    }
    // Read again under the locks: a cancellation may have come in between.
    let still_lapsed = Sponsorship::find()
        .filter(sponsorship::Column::Id.is_in(lapsed.iter().map(|s| s.id)))
        .filter(lapsed_by(today))
        .all(tx)
        .await?;
    let mut lapses_recorded = 0;
    for sponsorship in &still_lapsed {
        let at = lapsed_at(sponsorship.ends_on);
        if record_activity(tx, sponsorship.id, SponsorActivityKind::Lapsed, None, at).await? {
            lapses_recorded += 1;
            let on = Some(sponsorship.ends_on);
            events::emit(tx, WebhookEvent::SponsorshipLapsed, sponsorship, None, on).await?;
        }
    }
    Ok(CaughtUp {
        sponsors_followed,
        lapses_recorded,
    })
}

/// Sponsors with a running sponsorship whose Sponsor membership is missing or ends before it,
/// by sponsor key.
async fn sponsors_behind(tx: &Tx, today: NaiveDate) -> ApiResult<BTreeMap<String, Holder>> {
    let started: Vec<sponsorship::Model> =
        Sponsorship::find().filter(active_on(today)).all(tx).await?;
    if started.is_empty() {
        return Ok(BTreeMap::new());
    }
    let memberships: HashMap<String, membership::Model> = Memberships::find()
        .filter(membership::Column::ClassKey.eq(MembershipClassKey::Sponsor.as_str()))
        .filter(membership::Column::HolderKey.is_in(started.iter().map(|s| s.sponsor_key.clone())))
        .all(tx)
        .await?
        .into_iter()
        .map(|m| (m.holder_key.clone(), m))
        .collect();
    let mut behind = BTreeMap::new();
    for running in &started {
        let lagging = memberships
            .get(&running.sponsor_key)
            .is_none_or(|m| m.ends_on.is_none_or(|end| end < last_day(running.ends_on)));
        if lagging {
            let sponsor =
                Holder::from_columns(running.sponsor_account_id, running.sponsor_organization_id)?;
            behind.insert(running.sponsor_key.clone(), sponsor);
        }
    }
    Ok(behind)
}

/// Sponsorships whose end date has come with no `LAPSED` activity yet.
async fn unrecorded_lapses(tx: &Tx, today: NaiveDate) -> ApiResult<Vec<sponsorship::Model>> {
    let ended = Sponsorship::find().filter(lapsed_by(today)).all(tx).await?;
    if ended.is_empty() {
        return Ok(ended);
    }
    let recorded: HashSet<Uuid> = SponsorActivity::find()
        .filter(sponsor_activity::Column::Kind.eq(SponsorActivityKind::Lapsed))
        .filter(sponsor_activity::Column::SponsorshipId.is_in(ended.iter().map(|s| s.id)))
        .all(tx)
        .await?
        .into_iter()
        .map(|activity| activity.sponsorship_id)
        .collect();
    Ok(ended
        .into_iter()
        .filter(|s| !recorded.contains(&s.id))
        .collect())
}

/// The key of the job's lock: one replica at a time catches up.
const CATCH_UP_LOCK: &str = "sponsors.catch_up";

/// The periodic job: [`catch_up_in`] in a transaction of its own. On PostgreSQL it runs only if
/// it gets the job's advisory lock at once, so that one replica at a time does the work and the
/// others skip this round (`None`); on SQLite the write transaction already serializes it.
#[tracing::instrument(skip_all)]
pub async fn catch_up(db: &DatabaseConnection) -> ApiResult<Option<CaughtUp>> {
    let tx = begin_write(db).await?;
    if !job_lock(&tx).await? {
        tx.rollback().await?;
        return Ok(None);
    }
    let done = catch_up_in(&tx).await?;
    tx.commit().await?;
    Ok(Some(done))
}

/// Takes the job's transaction-scoped advisory lock if it is free (PostgreSQL).
async fn job_lock(tx: &Tx) -> ApiResult<bool> {
    if tx.get_database_backend() != DbBackend::Postgres {
        return Ok(true);
    }
    let row = tx
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS locked",
            [CATCH_UP_LOCK.into()],
        ))
        .await?
        .ok_or_else(|| ApiError::internal("pg_try_advisory_xact_lock returned no row"))?;
    Ok(row.try_get::<bool>("", "locked")?)
}
