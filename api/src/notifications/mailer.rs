//! Sending the mail outbox: through SMTP (`QUORUM_SMTP_URL`), or, with none configured, as
//! `.eml` files in `QUORUM_MAIL_DIR` so that a newcomer can read what would be sent. Claimed as
//! webhook deliveries are, so each message goes out from one replica.

use std::{sync::Arc, time::Duration};

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
use sea_orm::{ActiveEnum, DatabaseConnection, sea_query::Expr};

use crate::{
    auth::sealing::ServerSecrets,
    config::Notifications,
    error::ApiResult,
    metrics::Metrics,
    notifications::{preferences, queue, unsubscribe},
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

/// The mailer, its sender, and what signs one-click unsubscribe links.
#[derive(Clone)]
pub struct Outgoing {
    mailer: Mailer,
    from: Mailbox,
    public_url: String,
    secrets: Arc<ServerSecrets>,
}

impl Outgoing {
    /// The configured mailer. A bad SMTP URL or sender is an error at start-up.
    pub fn new(settings: &Notifications, secrets: Arc<ServerSecrets>) -> Result<Self, String> {
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
            public_url: settings.public_url.clone(),
            secrets,
        })
    }

    /// Builds the message as it goes out.
    ///
    /// `version` is the recipient's mail choice as it stands (see `preferences::Choice`), which
    /// the unsubscribe link signs.
    fn build(&self, row: &email_message::Model, version: i32) -> Result<Message, String> {
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
        // Non-essential mail to an account carries a one-click unsubscribe link (RFC 8058): a
        // mail client POSTs `List-Unsubscribe=One-Click` to it and the account is opted out.
        if !row.essential
            && let Some(account) = row.account_id
        {
            let token = unsubscribe::token(&self.secrets, account, row.kind, version);
            builder = builder
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe"),
                    format!("<{}>", unsubscribe::link(&self.public_url, &token)),
                ))
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                    "List-Unsubscribe=One-Click".to_owned(),
                ));
        }
        builder
            .body(row.body.clone().unwrap_or_default())
            .map_err(|err| format!("cannot build the message: {err}"))
    }

    async fn send(&self, row: &email_message::Model, version: i32) -> Result<(), String> {
        let message = self.build(row, version)?;
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

/// Claims and sends one batch of due messages. Returns how many it attempted. Non-essential
/// mail is withheld when its recipient opted out after it was queued.
pub async fn run_once(
    db: &DatabaseConnection,
    outgoing: &Outgoing,
    settings: &Notifications,
    metrics: &Metrics,
) -> ApiResult<usize> {
    let claimed = queue::claim::<EmailMessage>(db, settings.lease, BATCH).await?;
    let limit = send_limit(settings.lease);
    for row in &claimed {
        let mut version = 0;
        if !row.essential
            && let Some(account) = row.account_id
        {
            let choice = preferences::choice(db, account).await?;
            if !choice.non_essential {
                queue::withhold::<EmailMessage>(db, row.id, row.attempts, WITHHELD).await?;
                metrics.record_delivery("email", "withheld");
                continue;
            }
            version = choice.version;
        }
        // lettre's own timeout is per SMTP step; the lease is for the whole message.
        let outcome = match tokio::time::timeout(limit, outgoing.send(row, version)).await {
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

/// Why a message was withheld, as its row records it.
const WITHHELD: &str = "withheld: the recipient opted out of non-essential mail";

/// How long one send may take: the lease less a margin for recording the outcome, so that a
/// message is never still being sent when its lease runs out and another replica claims it.
pub fn send_limit(lease: Duration) -> Duration {
    lease.mul_f64(0.8)
}

async fn record(
    db: &DatabaseConnection,
    settings: &Notifications,
    metrics: &Metrics,
    row: &email_message::Model,
    outcome: Result<(), String>,
) -> ApiResult<()> {
    let update = queue::still_claimed::<EmailMessage>(row.id, row.attempts);
    let (update, label) = match outcome {
        Ok(()) => (
            update
                .col_expr(
                    email_message::Column::Status,
                    Expr::value(MailStatus::Sent.to_value()),
                )
                .col_expr(email_message::Column::SentAt, Expr::value(Utc::now()))
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
            let update =
                update.col_expr(email_message::Column::LastError, Expr::value(error.clone()));
            queue::after_failure(update, settings, row.attempts, row.id, &error)?
        }
    };
    update.exec(db).await?;
    metrics.record_delivery("email", label);
    Ok(())
}
