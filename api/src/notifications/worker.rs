//! The delivery worker every replica runs: it sends due webhooks and mail, and sleeps for the
//! poll interval whenever a round found nothing to do.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::{
    config::Config,
    metrics::Metrics,
    notifications::{address::Reach, delivery, mailer},
};

/// Runs until the task is aborted. It uses a pool of its own, so that its polling never takes a
/// connection a request is waiting for.
pub async fn run(config: Arc<Config>, metrics: Arc<Metrics>) {
    let settings = &config.notifications;
    let sender = match delivery::Sender::new(
        settings,
        Reach::for_production(config.is_production()),
    ) {
        Ok(sender) => sender,
        Err(err) => {
            tracing::error!(error = %err, "cannot build the webhook client; webhooks are not sent");
            return;
        }
    };
    let outgoing = match mailer::Outgoing::new(settings) {
        Ok(outgoing) => outgoing,
        Err(err) => {
            tracing::error!(error = %err, "cannot set up mail; mail is not sent");
            return;
        }
    };
    if settings.smtp_url.is_none() && config.is_production() {
        tracing::warn!(
            folder = %settings.mail_dir.display(),
            "QUORUM_SMTP_URL is not set: mail is written to files instead of being sent"
        );
    }
    let db = loop {
        match crate::db::connect_with(&config.database_url, 2, &config.db_timeouts).await {
            Ok(db) => break db,
            Err(err) => {
                tracing::warn!(error = %err, "the delivery worker cannot connect; will retry");
                tokio::time::sleep(settings.poll.max(std::time::Duration::from_secs(1))).await;
            }
        }
    };
    loop {
        let busy = round(&db, &sender, &outgoing, &config, &metrics).await;
        if !busy {
            tokio::time::sleep(settings.poll).await;
        }
    }
}

/// One round: a batch of webhooks, a batch of mail. Whether there was work.
async fn round(
    db: &DatabaseConnection,
    sender: &delivery::Sender,
    outgoing: &mailer::Outgoing,
    config: &Config,
    metrics: &Metrics,
) -> bool {
    let settings = &config.notifications;
    let mut busy = false;
    match delivery::run_once(db, sender, settings, metrics).await {
        Ok(sent) => busy |= sent > 0,
        Err(err) => tracing::warn!(error = %err, "sending webhooks failed; will retry"),
    }
    match mailer::run_once(db, outgoing, settings, metrics).await {
        Ok(sent) => busy |= sent > 0,
        Err(err) => tracing::warn!(error = %err, "sending mail failed; will retry"),
    }
    busy
}
