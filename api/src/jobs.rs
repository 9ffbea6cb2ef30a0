//! The background work every replica runs beside serving requests: the audit log's sealer and
//! its witnesses, the notification workers and the daily scheduler. Each gets a small pool of
//! its own, so that background polling never takes a connection a request is waiting for.

use std::sync::{Arc, Mutex};

use tokio::task::AbortHandle;

use crate::{
    auth::{keys::SigningKeys, sealing::ServerSecrets},
    config::Config,
    log::{
        cosigning,
        sealer::{self, LogSigner},
    },
    metrics::Metrics,
    notifications, scheduler,
};

/// The running background tasks of one replica.
#[derive(Clone, Default)]
pub struct Jobs {
    tasks: Arc<Mutex<Vec<AbortHandle>>>,
}

impl Jobs {
    /// Starts the audit log's sealer, and the workers and the scheduler unless configured off
    /// (`QUORUM_NOTIFICATION_WORKERS=false`).
    pub fn start(
        config: Arc<Config>,
        metrics: Arc<Metrics>,
        secrets: Arc<ServerSecrets>,
        keys: Arc<SigningKeys>,
    ) -> Self {
        let jobs = Self::default();
        let sealer = tokio::spawn(seal(config.clone(), keys));
        if let Ok(mut tasks) = jobs.tasks.lock() {
            tasks.push(sealer.abort_handle());
        }
        if !config.log_witnesses.is_empty() {
            let cosigning = tokio::spawn(cosign(config.clone(), metrics.clone()));
            if let Ok(mut tasks) = jobs.tasks.lock() {
                tasks.push(cosigning.abort_handle());
            }
        }
        if !config.notifications.workers {
            return jobs;
        }
        let worker = tokio::spawn(notifications::worker::run(config.clone(), metrics, secrets));
        let daily = tokio::spawn(async move {
            // A database that is not up yet at start must not stop the calendar for good.
            let mut wait = std::time::Duration::from_secs(1);
            let db = loop {
                match crate::db::connect_with(&config.database_url, 2, &config.db_timeouts).await {
                    Ok(db) => break db,
                    Err(err) => {
                        tracing::warn!(error = %err, retry_in_s = wait.as_secs(), "the scheduler cannot connect; will retry");
                        tokio::time::sleep(wait).await;
                        wait = (wait * 2).min(std::time::Duration::from_secs(60));
                    }
                }
            };
            scheduler::run(db).await;
        });
        if let Ok(mut tasks) = jobs.tasks.lock() {
            tasks.push(worker.abort_handle());
            tasks.push(daily.abort_handle());
        }
        jobs
    }

    /// Stops every task at once, wherever it is: what a crash does, for tests of recovery.
    pub fn stop(&self) {
        if let Ok(mut tasks) = self.tasks.lock() {
            for task in tasks.drain(..) {
                task.abort();
            }
        }
    }
}

/// The sealer, on a pool of its own (one connection), so that it never takes a connection a
/// request waits for.
async fn seal(config: Arc<Config>, keys: Arc<SigningKeys>) {
    let db = connect_patiently(&config, 1, "the audit log's sealer").await;
    let signer = LogSigner::new(config.log_origin(), keys);
    sealer::run(db, signer, config.log_seal_interval).await;
}

/// Sends each new checkpoint to the witnesses (`QUORUM_LOG_WITNESSES`), on a pool of its own, so
/// that a slow witness never delays the sealer or a request.
async fn cosign(config: Arc<Config>, metrics: Arc<Metrics>) {
    let db = connect_patiently(&config, 1, "the audit log's witnesses").await;
    let witnesses = cosigning::Witness::configured(&config.log_witnesses);
    cosigning::run(db, witnesses, config.log_seal_interval, metrics).await;
}

/// Connects, retrying with a growing pause: a database that is not up yet at start must not
/// stop the job for good.
async fn connect_patiently(
    config: &Config,
    connections: u32,
    job: &str,
) -> sea_orm::DatabaseConnection {
    let mut wait = std::time::Duration::from_secs(1);
    loop {
        match crate::db::connect_with(&config.database_url, connections, &config.db_timeouts).await
        {
            Ok(db) => return db,
            Err(err) => {
                tracing::warn!(error = %err, job, retry_in_s = wait.as_secs(), "cannot connect; will retry");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(std::time::Duration::from_secs(60));
            }
        }
    }
}
