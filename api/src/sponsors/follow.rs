//! Keeping the world in step with sponsorships: the Sponsor membership follows them (a members
//! command writes it), and lapses become activity. The calendar moves without anyone writing,
//! so a background job ([`catch_up`]) brings it up to date, and the opening of a vote or an
//! election refreshes the memberships on its roll first ([`refresh_memberships`]); reads never
//! do.

use crate::db::Tx;
use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use entity::{
    membership,
    prelude::{Membership as Memberships, SponsorActivity, SponsorTier, Sponsorship},
    sponsor_activity::{self, SponsorActivityKind},
    sponsor_tier, sponsorship,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter,
    QuerySelect, Set, TryInsertResult,
    sea_query::{Expr, ExprTrait, Query},
};
use uuid::Uuid;

use crate::{
    audit::Actor,
    db::{begin_write, lock_keys},
    error::{ApiError, ApiResult},
    holders::Holder,
    ids,
    members::{
        classes::MembershipClassKey,
        commands::follow::{follow_sponsor, follow_sponsors},
        rules::{SponsorStanding, Started},
    },
    notifications::outbox::WebhookEvent,
    sponsors::{
        consent, events,
        status::{SponsorshipState, active_on, lapsed_by},
    },
};

/// Brings the sponsor's Sponsor membership in line with its sponsorships that have started
/// (see [`follow_sponsor`]). Call it holding the sponsor's lock. Returns whether it changed
/// anything.
pub async fn follow_membership(
    tx: &Tx,
    actor: Actor,
    sponsor: Holder,
    today: NaiveDate,
) -> ApiResult<bool> {
    let standing = standings(tx, &[sponsor], today).await?.into_iter().next();
    let standing = standing.unwrap_or(SponsorStanding {
        sponsor,
        disclose: false,
        latest: None,
    });
    follow_sponsor(tx, actor, standing, today).await
}

/// Keys per `IN (…)` list: far under both backends' limits on bound parameters.
const IN_CHUNK: usize = 5_000;

/// What the sponsorships of each of `sponsors` say of its Sponsor membership, in their order:
/// its consent, and its latest started sponsorship with that one's tier's weight. Three
/// statements for any number of sponsors (a few more past [`IN_CHUNK`]).
async fn standings(
    tx: &Tx,
    sponsors: &[Holder],
    today: NaiveDate,
) -> ApiResult<Vec<SponsorStanding>> {
    let keys: Vec<String> = sponsors.iter().map(|sponsor| sponsor.key()).collect();
    let mut disclosed: HashMap<String, bool> = HashMap::new();
    let mut started: Vec<sponsorship::Model> = Vec::new();
    for chunk in keys.chunks(IN_CHUNK) {
        disclosed.extend(consent::of_many(tx, chunk).await?);
        started.extend(
            Sponsorship::find()
                .filter(sponsorship::Column::SponsorKey.is_in(chunk.iter().cloned()))
                .filter(sponsorship::Column::Status.ne(SponsorshipState::Cancelled))
                .filter(sponsorship::Column::StartsOn.lte(today))
                .all(tx)
                .await?,
        );
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
    let tiers: HashMap<Uuid, sponsor_tier::Model> = if latest.is_empty() {
        HashMap::new()
    } else {
        let tier_ids: HashSet<Uuid> = latest.values().map(|row| row.tier_id).collect();
        SponsorTier::find()
            .filter(sponsor_tier::Column::Id.is_in(tier_ids))
            .all(tx)
            .await?
            .into_iter()
            .map(|tier| (tier.id, tier))
            .collect()
    };
    sponsors
        .iter()
        .zip(keys)
        .map(|(sponsor, key)| {
            let latest = match latest.remove(&key) {
                Some(row) => {
                    let tier = tiers
                        .get(&row.tier_id)
                        .ok_or_else(|| ApiError::internal("a sponsorship's tier is missing"))?;
                    Some(Started {
                        sponsorship_id: row.id,
                        ends_on: row.ends_on,
                        vote_weight: tier.vote_weight,
                    })
                }
                None => None,
            };
            Ok(SponsorStanding {
                sponsor: *sponsor,
                disclose: disclosed.get(&key).copied().unwrap_or(false),
                latest,
            })
        })
        .collect()
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
/// that have started since they were recorded, the announcement of those sponsorships, and a
/// `LAPSED` activity (and its webhook) for each sponsorship past its end. Cheap when there is
/// nothing to do: a few reads. The background jobs run it; an opening of a vote or an election
/// needs only the memberships, and runs [`refresh_memberships`].
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
    let sponsors_followed = follow_behind(tx, &behind, today).await?;
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

/// Brings up to date the Sponsor memberships that lag behind a running sponsorship: those
/// whose sponsorship (a first one, or one continuing an earlier one) started since it was
/// recorded. What the opening of a vote or an election needs before it copies its roll: nothing
/// else the calendar moves changes who is on a roll or with which weight (a lapse, a grace
/// period and an expiry are read from the dates). It announces nothing; [`catch_up`] does.
/// Returns how many memberships it changed.
///
/// It takes the locks of the sponsors it follows, so it runs before its transaction's first
/// write: `rolls::begin_write_caught_up` is the one caller, and runs it as the transaction
/// begins.
#[tracing::instrument(skip_all)]
pub async fn refresh_memberships(tx: &Tx) -> ApiResult<usize> {
    let today = Utc::now().date_naive();
    let behind = sponsors_behind(tx, today).await?;
    if behind.is_empty() {
        return Ok(0);
    }
    lock_keys(tx, behind.keys().map(String::as_str).collect()).await?;
    follow_behind(tx, &behind, today).await
}

/// Follows the sponsors `behind`, whose locks the caller holds. Under the locks each sponsor is
/// read again, so a run that waited for another one that did the same work finds nothing left
/// and writes nothing.
async fn follow_behind(
    tx: &Tx,
    behind: &BTreeMap<String, Holder>,
    today: NaiveDate,
) -> ApiResult<usize> {
    let sponsors: Vec<Holder> = behind.values().copied().collect();
    let standings = standings(tx, &sponsors, today).await?;
    follow_sponsors(tx, Actor::System, &standings, today).await
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
        // How it began, as its activity recorded at recording: the event takes that name.
        let began = SponsorActivity::find()
            .filter(sponsor_activity::Column::SponsorshipId.eq(row.id))
            .filter(sponsor_activity::Column::Kind.is_in([
                SponsorActivityKind::NewSponsorship,
                SponsorActivityKind::Renewal,
                SponsorActivityKind::TierChange,
            ]))
            .one(tx)
            .await?;
        let (activity, previous_tier) = began
            .map_or((SponsorActivityKind::NewSponsorship, None), |a| {
                (a.kind, a.previous_tier_id)
            });
        events::announce(tx, row, activity, previous_tier).await?;
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
    if !crate::db::try_lock_key(&tx, CATCH_UP_LOCK).await? {
        tx.rollback().await?;
        return Ok(None);
    }
    let done = catch_up_in(&tx).await?;
    tx.commit().await?;
    Ok(Some(done))
}
