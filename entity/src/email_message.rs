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
    pub kind: MailKind,
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

/// What a message is: stored with it, and named in its once-only key and in the one-click
/// unsubscribe link it carries (which signs the name), so the names never change.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum MailKind {
    /// A membership application was approved or rejected.
    #[sea_orm(string_value = "application_decided")]
    ApplicationDecided,
    /// A membership's term ends soon.
    #[sea_orm(string_value = "renewal_due")]
    RenewalDue,
    /// A membership's term ended and its grace period began.
    #[sea_orm(string_value = "grace_started")]
    GraceStarted,
    /// A membership's grace period ended.
    #[sea_orm(string_value = "membership_expired")]
    MembershipExpired,
    /// A vote opened on an amendment.
    #[sea_orm(string_value = "vote_opened")]
    VoteOpened,
    /// An election's voting opened.
    #[sea_orm(string_value = "election_opened")]
    ElectionOpened,
    /// Someone was nominated and may accept or decline.
    #[sea_orm(string_value = "nomination_to_accept")]
    NominationToAccept,
    /// Someone was invited to represent an organization.
    #[sea_orm(string_value = "representative_invited")]
    RepresentativeInvited,
    /// An account's password was changed.
    #[sea_orm(string_value = "password_changed")]
    PasswordChanged,
}

impl MailKind {
    /// The stored name, such as `renewal_due`.
    pub fn name(self) -> String {
        self.to_value()
    }

    /// Whether mail of this kind is non-essential: reminders and invitations, which an account
    /// may opt out of. Security and governance mail always goes out.
    pub fn optional(self) -> bool {
        match self {
            Self::RenewalDue
            | Self::GraceStarted
            | Self::MembershipExpired
            | Self::RepresentativeInvited => true,
            Self::ApplicationDecided
            | Self::VoteOpened
            | Self::ElectionOpened
            | Self::NominationToAccept
            | Self::PasswordChanged => false,
        }
    }
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
