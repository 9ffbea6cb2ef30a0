//! The daily scheduler: dated work (membership reminders, sponsorship lapses) runs once a day
//! across replicas. Every replica checks each hour; on PostgreSQL an advisory lock lets one at a
//! time in, and a row per day in `scheduled_runs` makes the day's run happen once. The work
//! itself catches up after downtime: it looks at every date since it last ran, and each
//! message and event has a key of (kind, subject, date) that is written only once.

use chrono::{NaiveDate, Utc};
use entity::{
    prelude::ScheduledRun,
    scheduled_run::{self, ScheduledJob},
};
use sea_orm::{DatabaseConnection, EntityTrait, Set, TryInsertResult};

use crate::{
    db::begin_write,
    error::ApiResult,
    members::reminders::{self, Reminded},
    sponsors::follow::{self, CaughtUp},
};

/// The daily job, in `scheduled_runs` and as its lock.
const DAILY: ScheduledJob = ScheduledJob::Daily;

/// What a day's run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DailyRun {
    pub day: NaiveDate,
    pub reminded: Reminded,
    pub caught_up: CaughtUp,
}

/// Runs today's work if no replica has. `None` when another replica holds the lock or today's
/// run is done.
#[tracing::instrument(skip_all)]
pub async fn run_daily(db: &DatabaseConnection) -> ApiResult<Option<DailyRun>> {
    let tx = begin_write(db).await?;
    if !crate::db::try_lock_key(&tx, &format!("scheduler.{}", DAILY.name())).await? {
        tx.rollback().await?;
        return Ok(None);
    }
    let today = Utc::now().date_naive();
    // Catching up takes its locks before the first write, so it goes first.
    let caught_up = follow::catch_up_in(&tx).await?;
    let marked = ScheduledRun::insert(scheduled_run::ActiveModel {
        job: Set(DAILY),
        day: Set(today),
        ran_at: Set(Utc::now()),
    })
    .on_conflict_do_nothing_on([scheduled_run::Column::Job, scheduled_run::Column::Day])
    .exec(&tx)
    .await?;
    if !matches!(marked, TryInsertResult::Inserted(_)) {
        // Today's reminders went out; the catch-up is worth keeping all the same.
        tx.commit().await?;
        return Ok(None);
    }
    let reminded = reminders::queue_due(&tx, today).await?;
    tx.commit().await?;
    Ok(Some(DailyRun {
        day: today,
        reminded,
        caught_up,
    }))
}

/// How often each replica checks whether today's run is done.
const CHECK_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

/// Checks at start and then every hour, until the task is aborted.
pub async fn run(db: DatabaseConnection) {
    let mut interval = tokio::time::interval(CHECK_EVERY);
    loop {
        interval.tick().await;
        match run_daily(&db).await {
            Ok(Some(run)) => tracing::info!(
                day = %run.day,
                renewals_due = run.reminded.renewals_due,
                graces_started = run.reminded.graces_started,
                expired = run.reminded.expired,
                lapses = run.caught_up.lapses_recorded,
                announced = run.caught_up.announced,
                "the daily scheduler ran"
            ),
            Ok(None) => tracing::debug!("today's scheduled work is done or under way elsewhere"),
            Err(err) => tracing::warn!(error = %err, "the daily scheduler failed; will retry"),
        }
    }
}
