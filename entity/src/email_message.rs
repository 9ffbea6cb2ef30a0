//! `email_messages`: the mail outbox, sent by the workers.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "email_messages")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The recipient's account, when the message is to an account.
    pub account_id: Option<Uuid>,
    pub to_address: String,
    /// What the message is, e.g. `application_decided`.
    pub kind: String,
    pub subject: String,
    /// Plain text; dropped once sent.
    pub body: Option<String>,
    /// Security and governance mail, which no one can opt out of.
    pub essential: bool,
    /// A key that makes a dated reminder (kind, subject, date) be written once.
    #[sea_orm(unique)]
    pub dedup_key: Option<String>,
    pub status: MailStatus,
    pub attempts: i32,
    /// When it is next due; while a worker holds it, when its claim runs out.
    pub next_attempt_at: DateTimeUtc,
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
}

/// Where a message stands.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
pub enum MailStatus {
    /// Waiting to be sent, or being sent now.
    Pending,
    /// Handed to the mail server (or written to the development folder).
    Sent,
    /// Every attempt failed.
    Failed,
    /// Not sent: non-essential mail whose recipient opted out after it was queued.
    Withheld,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
