//! The delivery worker every replica runs: it sends due webhooks and mail, and sleeps for the
//! poll interval whenever a round found nothing to do.

use std::{sync::Arc, time::Duration};

use sea_orm::DatabaseConnection;

use crate::{
    auth::sealing::ServerSecrets,
    config::Config,
    metrics::Metrics,
    notifications::{address::Reach, delivery, endpoints, mailer, mailing},
};

/// Runs until the task is aborted. Webhooks and mail run as two independent loops, each with a
/// pool of its own (so that polling never takes a connection a request is waiting for): a mail
/// setup that fails (an unwritable mail folder, say) never stops webhooks, and the reverse.
pub async fn run(config: Arc<Config>, metrics: Arc<Metrics>, secrets: Arc<ServerSecrets>) {
    let settings = &config.notifications;
    let webhooks = async {
        let sender = retrying("the webhook client", || {
            delivery::Sender::new(
                settings,
                Reach::for_production(config.is_production()),
                secrets.clone(),
            )
            .map_err(|err| err.to_string())
        })
        .await;
        let db = connect(&config, "webhooks").await;
        // Secrets stored before they were sealed are sealed once, by whichever replica starts.
        match endpoints::seal_plaintext(&db, &secrets).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(endpoints = n, "sealed webhook secrets stored in plaintext"),
            Err(err) => {
                tracing::warn!(error = %err, "cannot seal the webhook secrets stored in plaintext; will try at the next start")
            }
        }
        loop {
            let busy = match delivery::run_once(&db, &sender, settings, &metrics).await {
                Ok(sent) => sent > 0,
                Err(err) => {
                    tracing::warn!(error = %err, "sending webhooks failed; will retry");
                    false
                }
            };
            if !busy {
                tokio::time::sleep(settings.poll).await;
            }
        }
    };
    let mail = async {
        let outgoing = retrying("mail", || mailer::Outgoing::new(settings, secrets.clone())).await;
        let db = connect(&config, "mail").await;
        loop {
            let expanded = match mailing::expand_next(&db).await {
                Ok(expanded) => expanded.is_some(),
                Err(err) => {
                    tracing::warn!(error = %err, "writing a roll's mail failed; will retry");
                    false
                }
            };
            let sent = match mailer::run_once(&db, &outgoing, settings, &metrics).await {
                Ok(sent) => sent > 0,
                Err(err) => {
                    tracing::warn!(error = %err, "sending mail failed; will retry");
                    false
                }
            };
            let busy = expanded || sent;
            if !busy {
                tokio::time::sleep(settings.poll).await;
            }
        }
    };
    tokio::join!(webhooks, mail);
}

/// The first wait after a failed setup, and the longest.
const FIRST_WAIT: Duration = Duration::from_secs(1);
const LONGEST_WAIT: Duration = Duration::from_secs(300);

/// Sets `what` up, retrying with a doubling wait until it works.
async fn retrying<T>(what: &str, setup: impl Fn() -> Result<T, String>) -> T {
    let mut wait = FIRST_WAIT;
    loop {
        match setup() {
            Ok(done) => return done,
            Err(err) => {
                tracing::error!(error = %err, retry_in_s = wait.as_secs(), "cannot set up {what}; will retry");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(LONGEST_WAIT);
            }
        }
    }
}

/// A pool of two connections for one loop, retrying until the database answers.
async fn connect(config: &Config, what: &str) -> DatabaseConnection {
    let mut wait = FIRST_WAIT;
    loop {
        match crate::db::connect_with(&config.database_url, 2, &config.db_timeouts).await {
            Ok(db) => return db,
            Err(err) => {
                tracing::warn!(error = %err, worker = what, "the delivery worker cannot connect; will retry");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(LONGEST_WAIT);
            }
        }
    }
}
