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
    sponsor_tier, sponsorship,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    QueryFilter, QuerySelect, Set, Statement, TryInsertResult,
    sea_query::{Expr, ExprTrait, Query},
};
use serde_json::json;
use uuid::Uuid;

use crate::{
    audit::{self, Actor, Entry},
    db::{begin_write, lock_keys},
    error::{ApiError, ApiResult},
    ids,
    members::{
        classes::MembershipClassKey,
        db::{Grant, Term, create_memberships, grant_membership},
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
    let mut standings = standings(tx, &[sponsor], today).await?;
    let standing = standings.remove(&sponsor.key()).unwrap_or_default();
    follow_standing(tx, actor, sponsor, today, standing).await
}

/// What a sponsor's Sponsor membership follows, read beforehand: its consent, its latest
/// started sponsorship with that one's tier, and the membership itself.
#[derive(Default)]
struct Standing {
    disclose: bool,
    latest: Option<(sponsorship::Model, sponsor_tier::Model)>,
    membership: Option<membership::Model>,
}

/// Keys per `IN (…)` list: far under both backends' limits on bound parameters.
const IN_CHUNK: usize = 5_000;

/// The standings of `sponsors`, by sponsor key: four statements for any number of sponsors (a
/// few more past [`IN_CHUNK`]).
async fn standings(
    tx: &Tx,
    sponsors: &[Holder],
    today: NaiveDate,
) -> ApiResult<HashMap<String, Standing>> {
    let keys: Vec<String> = sponsors.iter().map(|sponsor| sponsor.key()).collect();
    let mut standings: HashMap<String, Standing> = HashMap::new();
    let mut started: Vec<sponsorship::Model> = Vec::new();
    for chunk in keys.chunks(IN_CHUNK) {
        for (key, disclose) in consent::of_many(tx, chunk).await? {
            standings.entry(key).or_default().disclose = disclose;
        }
        started.extend(
            Sponsorship::find()
                .filter(sponsorship::Column::SponsorKey.is_in(chunk.iter().cloned()))
                .filter(sponsorship::Column::Status.ne(SponsorshipState::Cancelled))
                .filter(sponsorship::Column::StartsOn.lte(today))
                .all(tx)
                .await?,
        );
        for row in Memberships::find()
            .filter(membership::Column::ClassKey.eq(MembershipClassKey::Sponsor.as_str()))
            .filter(membership::Column::HolderKey.is_in(chunk.iter().cloned()))
            .all(tx)
            .await?
        {
            let key = row.holder_key.clone();
            standings.entry(key).or_default().membership = Some(row);
        }
    }
    // The latest of each sponsor's started sponsorships: periods never overlap, so the one
    // that ends last.
    let mut latest: HashMap<String, sponsorship::Model> = HashMap::new();
    for row in started {
        match latest.get(&row.sponsor_key) {
            Some(kept) if kept.ends_on >= row.ends_on => {}
            _ => {
                latest.insert(row.sponsor_key.clone(), row);
            }
        }
    }
    if latest.is_empty() {
        return Ok(standings);
    }
    let tier_ids: HashSet<Uuid> = latest.values().map(|row| row.tier_id).collect();
    let tiers: HashMap<Uuid, sponsor_tier::Model> = SponsorTier::find()
        .filter(sponsor_tier::Column::Id.is_in(tier_ids))
        .all(tx)
        .await?
        .into_iter()
        .map(|tier| (tier.id, tier))
        .collect();
    for (key, row) in latest {
        let tier = tiers
            .get(&row.tier_id)
            .cloned()
            .ok_or_else(|| ApiError::internal("a sponsorship's tier is missing"))?;
        standings.entry(key).or_default().latest = Some((row, tier));
    }
    Ok(standings)
}

/// [`follow_membership`] from a standing already read.
async fn follow_standing(
    tx: &Tx,
    actor: Actor,
    sponsor: Holder,
    today: NaiveDate,
    standing: Standing,
) -> ApiResult<bool> {
    let Standing {
        disclose,
        latest,
        membership,
    } = standing;
    let Some((latest, tier)) = latest else {
        return cut_membership(tx, actor, membership, today, disclose).await;
    };
    let last_day = last_day(latest.ends_on);
    match membership {
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
    membership: Option<membership::Model>,
    today: NaiveDate,
    disclose: bool,
) -> ApiResult<bool> {
    let Some(current) = membership else {
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

/// Records the `LAPSED` activity of each of `sponsorships` that has none yet, a few thousand
/// a statement. Returns how many were recorded now.
async fn record_lapses<'a>(
    tx: &Tx,
    sponsorships: &'a [sponsorship::Model],
) -> ApiResult<Vec<&'a sponsorship::Model>> {
    let mut recorded = Vec::new();
    for chunk in sponsorships.chunks(INSERT_CHUNK) {
        // The sponsors' locks are held, so what is not recorded yet is ours to record (and to
        // announce once).
        let known: HashSet<Uuid> = SponsorActivity::find()
            .select_only()
            .column(sponsor_activity::Column::SponsorshipId)
            .filter(sponsor_activity::Column::SponsorshipId.is_in(chunk.iter().map(|s| s.id)))
            .filter(sponsor_activity::Column::Kind.eq(SponsorActivityKind::Lapsed))
            .into_tuple::<Uuid>()
            .all(tx)
            .await?
            .into_iter()
            .collect();
        let new: Vec<&sponsorship::Model> =
            chunk.iter().filter(|s| !known.contains(&s.id)).collect();
        if new.is_empty() {
            continue;
        }
        let rows = new.iter().map(|s| entity::sponsor_activity::ActiveModel {
            id: Set(ids::new_key()),
            sponsorship_id: Set(s.id),
            kind: Set(SponsorActivityKind::Lapsed),
            previous_tier_id: Set(None),
            occurred_at: Set(lapsed_at(s.ends_on)),
        });
        SponsorActivity::insert_many(rows)
            .exec_without_returning(tx)
            .await?;
        recorded.extend(new);
    }
    Ok(recorded)
}

/// Activities written per statement: 5 parameters each.
const INSERT_CHUNK: usize = 2_000;

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
    /// Sponsorships recorded ahead of their start that started since, and were told now.
    pub announced: usize,
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
    let unannounced = unannounced(tx, today).await?;
    if behind.is_empty() && lapsed.is_empty() && unannounced.is_empty() {
        return Ok(CaughtUp::default());
    }
    let keys: std::collections::BTreeSet<&str> = behind
        .keys()
        .map(String::as_str)
        .chain(lapsed.iter().map(|s| s.sponsor_key.as_str()))
        .chain(unannounced.iter().map(|s| s.sponsor_key.as_str()))
        .collect();
    lock_keys(tx, keys.into_iter().collect::<Vec<_>>()).await?;
    // Under the locks each sponsor is read again, so a run that waited for another one that did
    // the same work finds nothing left and writes nothing. All of them in a few statements;
    // then the new Sponsor memberships (the common case: sponsorships that have started) a
    // thousand a statement, and any other change one sponsor at a time.
    let sponsors: Vec<Holder> = behind.values().copied().collect();
    let mut standings = standings(tx, &sponsors, today).await?;
    let mut sponsors_followed = 0;
    let mut new_members = Vec::new();
    for sponsor in sponsors {
        let standing = standings.remove(&sponsor.key()).unwrap_or_default();
        match standing {
            Standing {
                disclose,
                latest: Some((latest, tier)),
                membership: None,
            } => new_members.push(Grant {
                class: MembershipClassKey::Sponsor,
                holder: sponsor,
                disclose,
                vote_weight: tier.vote_weight,
                term: Term::Until(last_day(latest.ends_on)),
            }),
            standing => {
                if follow_standing(tx, Actor::System, sponsor, today, standing).await? {
                    sponsors_followed += 1;
                }
            }
        }
    }
    sponsors_followed += create_memberships(tx, Actor::System, &new_members)
        .await?
        .len();
    // Told before any lapse, so that one that started and ended while the server was down is
    // told in that order.
    let announced = announce_started(tx, &unannounced).await?;
    // Read again under the locks: a cancellation may have come in between.
    let mut still_lapsed = Vec::new();
    for chunk in lapsed.chunks(IN_CHUNK) {
        still_lapsed.extend(
            Sponsorship::find()
                .filter(sponsorship::Column::Id.is_in(chunk.iter().map(|s| s.id)))
                .filter(lapsed_by(today))
                .all(tx)
                .await?,
        );
    }
    let newly_lapsed = record_lapses(tx, &still_lapsed).await?;
    for sponsorship in &newly_lapsed {
        let on = Some(sponsorship.ends_on);
        events::emit(tx, WebhookEvent::SponsorshipLapsed, sponsorship, None, on).await?;
    }
    let lapses_recorded = newly_lapsed.len();
    Ok(CaughtUp {
        sponsors_followed,
        lapses_recorded,
        announced,
    })
}

/// Sponsorships recorded ahead of their start that have started and were not told yet; a
/// cancelled one never is.
async fn unannounced(tx: &Tx, today: NaiveDate) -> ApiResult<Vec<sponsorship::Model>> {
    Ok(Sponsorship::find()
        .filter(sponsorship::Column::AnnouncedAt.is_null())
        .filter(sponsorship::Column::StartsOn.lte(today))
        .filter(sponsorship::Column::Status.ne(SponsorshipState::Cancelled))
        .all(tx)
        .await?)
}

/// Tells each of `sponsorships` once, holding its sponsor's lock: the conditional update of
/// `announced_at` lets one run tell it, and a cancellation that came first leaves it untold.
async fn announce_started(tx: &Tx, sponsorships: &[sponsorship::Model]) -> ApiResult<usize> {
    let now = Utc::now();
    let mut told = 0;
    for row in sponsorships {
        let marked = Sponsorship::update_many()
            .col_expr(
                sponsorship::Column::AnnouncedAt,
                sea_orm::sea_query::Expr::value(now),
            )
            .filter(sponsorship::Column::Id.eq(row.id))
            .filter(sponsorship::Column::AnnouncedAt.is_null())
            .filter(sponsorship::Column::Status.ne(SponsorshipState::Cancelled))
            .exec(tx)
            .await?;
        if marked.rows_affected == 0 {
            continue;
        }
        let previous_tier = SponsorActivity::find()
            .filter(sponsor_activity::Column::SponsorshipId.eq(row.id))
            .filter(sponsor_activity::Column::Kind.eq(SponsorActivityKind::TierChange))
            .one(tx)
            .await?
            .and_then(|activity| activity.previous_tier_id);
        events::announce(tx, row, previous_tier).await?;
        told += 1;
    }
    Ok(told)
}

/// Sponsors with a running sponsorship whose Sponsor membership is missing or ends before it,
/// by sponsor key. Asked of the database in one statement, so that a replica checking every ten
/// minutes reads only the sponsors that are behind, not every running sponsorship and its
/// membership.
async fn sponsors_behind(tx: &Tx, today: NaiveDate) -> ApiResult<BTreeMap<String, Holder>> {
    // The sponsorship's last day (it ends on `ends_on`, as `last_day` says).
    let last_day = match tx.get_database_backend() {
        DbBackend::Postgres => Expr::cust(r#""sponsorships"."ends_on" - 1"#),
        _ => Expr::cust(r#"date("sponsorships"."ends_on", '-1 day')"#),
    };
    let covering = Query::select()
        .expr(Expr::val(1))
        .from(Memberships)
        .and_where(
            Expr::col((Memberships, membership::Column::HolderKey))
                .equals((Sponsorship, sponsorship::Column::SponsorKey)),
        )
        .and_where(membership::Column::ClassKey.eq(MembershipClassKey::Sponsor.as_str()))
        .and_where(Expr::col((Memberships, membership::Column::EndsOn)).gte(last_day))
        .to_owned();
    let rows: Vec<(String, Option<Uuid>, Option<Uuid>)> = Sponsorship::find()
        .select_only()
        .column(sponsorship::Column::SponsorKey)
        .column(sponsorship::Column::SponsorAccountId)
        .column(sponsorship::Column::SponsorOrganizationId)
        .filter(active_on(today))
        .filter(Expr::exists(covering).not())
        .into_tuple()
        .all(tx)
        .await?;
    rows.into_iter()
        .map(|(key, account, organization)| Ok((key, Holder::from_columns(account, organization)?)))
        .collect()
}

/// Sponsorships whose end date has come with no `LAPSED` activity yet: asked of the database,
/// so that however many sponsorships have ended over the years, none is bound as a parameter.
async fn unrecorded_lapses(tx: &Tx, today: NaiveDate) -> ApiResult<Vec<sponsorship::Model>> {
    let recorded = sea_orm::sea_query::Query::select()
        .column(sponsor_activity::Column::SponsorshipId)
        .from(SponsorActivity)
        .and_where(sponsor_activity::Column::Kind.eq(SponsorActivityKind::Lapsed))
        .to_owned();
    Ok(Sponsorship::find()
        .filter(lapsed_by(today))
        .filter(sponsorship::Column::Id.not_in_subquery(recorded))
        .all(tx)
        .await?)
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
