//! Sending the mail outbox: through SMTP (`QUORUM_SMTP_URL`), or, with none configured, as
//! `.eml` files in `QUORUM_MAIL_DIR` so that a newcomer can read what would be sent. Claimed as
//! webhook deliveries are, so each message goes out from one replica.

use std::time::Duration;

use chrono::Utc;
use entity::{
    email_message::{self, MailStatus},
    prelude::EmailMessage,
};
use lettre::{
    AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{
        Mailbox,
        header::{ContentType, HeaderName, HeaderValue},
    },
};
use sea_orm::{
    ActiveEnum, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait, LockBehavior, LockType},
};
use uuid::Uuid;

use crate::{
    config::Notifications,
    db::begin_bookkeeping,
    error::{ApiError, ApiResult},
    metrics::Metrics,
    notifications::delivery::backoff,
};

/// Messages one worker claims at a time: one, so that a slow relay never holds a message past
/// its lease while others wait their turn (another replica would send it again).
const BATCH: u64 = 1;

/// Where mail goes.
#[derive(Clone)]
pub enum Mailer {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// Development without SMTP: one `.eml` file per message.
    Files(AsyncFileTransport<Tokio1Executor>, std::path::PathBuf),
}

/// The mailer, its sender and the address of the preferences page.
#[derive(Clone)]
pub struct Outgoing {
    mailer: Mailer,
    from: Mailbox,
    unsubscribe: String,
}

impl Outgoing {
    /// The configured mailer. A bad SMTP URL or sender is an error at start-up.
    pub fn new(settings: &Notifications) -> Result<Self, String> {
        let mailer = match &settings.smtp_url {
            Some(url) => Mailer::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|err| format!("QUORUM_SMTP_URL: {err}"))?
                    .timeout(Some(Duration::from_secs(20)))
                    .build(),
            ),
            None => {
                std::fs::create_dir_all(&settings.mail_dir).map_err(|err| {
                    format!("QUORUM_MAIL_DIR {}: {err}", settings.mail_dir.display())
                })?;
                Mailer::Files(
                    AsyncFileTransport::new(&settings.mail_dir),
                    settings.mail_dir.clone(),
                )
            }
        };
        let from = settings
            .mail_from
            .parse()
            .map_err(|err| format!("QUORUM_MAIL_FROM: {err}"))?;
        Ok(Self {
            mailer,
            from,
            unsubscribe: format!("<{}/settings/email>", settings.public_url),
        })
    }

    /// Builds the message as it goes out.
    fn build(&self, row: &email_message::Model) -> Result<Message, String> {
        let to: Mailbox = row
            .to_address
            .parse()
            .map_err(|err| format!("bad recipient address: {err}"))?;
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(row.subject.clone())
            .message_id(Some(format!("<{}@quorum>", row.id.simple())))
            .header(ContentType::TEXT_PLAIN);
        if !row.essential {
            builder = builder.raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe"),
                self.unsubscribe.clone(),
            ));
        }
        builder
            .body(row.body.clone().unwrap_or_default())
            .map_err(|err| format!("cannot build the message: {err}"))
    }

    async fn send(&self, row: &email_message::Model) -> Result<(), String> {
        let message = self.build(row)?;
        match &self.mailer {
            Mailer::Smtp(smtp) => smtp
                .send(message)
                .await
                .map(|_| ())
                .map_err(|err| err.to_string()),
            Mailer::Files(files, dir) => {
                let id = files.send(message).await.map_err(|err| err.to_string())?;
                tracing::info!(
                    to = %row.to_address,
                    subject = %row.subject,
                    file = %dir.join(format!("{id}.eml")).display(),
                    "no SMTP server is configured; wrote the message to a file"
                );
                Ok(())
            }
        }
    }
}

/// Claims and sends one batch of due messages. Returns how many it attempted.
pub async fn run_once(
    db: &DatabaseConnection,
    outgoing: &Outgoing,
    settings: &Notifications,
    metrics: &Metrics,
) -> ApiResult<usize> {
    let claimed = claim(db, settings.lease).await?;
    let limit = send_limit(settings.lease);
    for row in &claimed {
        // lettre's own timeout is per SMTP step; the lease is for the whole message.
        let outcome = match tokio::time::timeout(limit, outgoing.send(row)).await {
            Ok(outcome) => outcome,
            Err(_) => Err(format!(
                "the mail relay did not take the message within {} ms",
                limit.as_millis()
            )),
        };
        record(db, settings, metrics, row, outcome).await?;
    }
    Ok(claimed.len())
}

/// How long one send may take: the lease less a margin for recording the outcome, so that a
/// message is never still being sent when its lease runs out and another replica claims it.
pub fn send_limit(lease: Duration) -> Duration {
    lease.mul_f64(0.8)
}

async fn claim(db: &DatabaseConnection, lease: Duration) -> ApiResult<Vec<email_message::Model>> {
    let now = Utc::now();
    // A plain read first: an idle worker polls without ever taking a write lock.
    let anything_due = EmailMessage::find()
        .filter(email_message::Column::Status.eq(MailStatus::Pending))
        .filter(email_message::Column::NextAttemptAt.lte(now))
        .one(db)
        .await?
        .is_some();
    if !anything_due {
        return Ok(Vec::new());
    }
    // Bookkeeping only: a claim must not make any replica's public cache stale.
    let tx = begin_bookkeeping(db).await?;
    let due = EmailMessage::find()
        .filter(email_message::Column::Status.eq(MailStatus::Pending))
        .filter(email_message::Column::NextAttemptAt.lte(now))
        .order_by_asc(email_message::Column::NextAttemptAt)
        .limit(BATCH)
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .all(&tx)
        .await?;
    if due.is_empty() {
        tx.rollback().await?;
        return Ok(due);
    }
    let until = now + chrono::Duration::from_std(lease).map_err(ApiError::internal)?;
    let ids: Vec<Uuid> = due.iter().map(|m| m.id).collect();
    EmailMessage::update_many()
        .col_expr(email_message::Column::NextAttemptAt, Expr::value(until))
        .col_expr(
            email_message::Column::Attempts,
            Expr::col(email_message::Column::Attempts).add(1),
        )
        .filter(email_message::Column::Id.is_in(ids))
        .exec(&tx)
        .await?;
    tx.commit().await?;
    Ok(due
        .into_iter()
        .map(|mut row| {
            row.attempts += 1;
            row
        })
        .collect())
}

async fn record(
    db: &DatabaseConnection,
    settings: &Notifications,
    metrics: &Metrics,
    row: &email_message::Model,
    outcome: Result<(), String>,
) -> ApiResult<()> {
    let now = Utc::now();
    let update = EmailMessage::update_many()
        .filter(email_message::Column::Id.eq(row.id))
        .filter(email_message::Column::Status.eq(MailStatus::Pending))
        .filter(email_message::Column::Attempts.eq(row.attempts));
    let (update, label) = match outcome {
        Ok(()) => (
            update
                .col_expr(
                    email_message::Column::Status,
                    Expr::value(MailStatus::Sent.to_value()),
                )
                .col_expr(email_message::Column::SentAt, Expr::value(now))
                .col_expr(
                    email_message::Column::LastError,
                    Expr::value(Option::<String>::None),
                )
                .col_expr(
                    email_message::Column::Body,
                    Expr::value(Option::<String>::None),
                ),
            "succeeded",
        ),
        Err(error) => {
            let error: String = error.chars().take(500).collect();
            let failed = u32::try_from(row.attempts).unwrap_or(u32::MAX) >= settings.max_attempts;
            let update =
                update.col_expr(email_message::Column::LastError, Expr::value(error.clone()));
            if failed {
                tracing::warn!(message = %row.id, error = %error, "mail could not be sent; giving up");
                (
                    update.col_expr(
                        email_message::Column::Status,
                        Expr::value(MailStatus::Failed.to_value()),
                    ),
                    "failed",
                )
            } else {
                let wait = backoff(settings.retry_base, row.attempts);
                let next = now + chrono::Duration::from_std(wait).map_err(ApiError::internal)?;
                tracing::info!(message = %row.id, error = %error, "mail could not be sent; will retry");
                (
                    update.col_expr(email_message::Column::NextAttemptAt, Expr::value(next)),
                    "retrying",
                )
            }
        }
    };
    update.exec(db).await?;
    metrics.record_delivery("email", label);
    Ok(())
}
