//! The messages people receive, and [`queue`], which writes them into the mail outbox inside the
//! caller's transaction: a message goes out only if the change that caused it commits.
//!
//! Plain text with a clear subject. Reminders are non-essential: an account can opt out of them
//! (`setEmailPreferences`), and they carry `List-Unsubscribe`. Security mail (a password
//! changed) and governance notices (a vote or election opened, a nomination, a decision on an
//! application) always go out.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use entity::{
    account, email_message,
    email_message::{MailKind, MailStatus},
    email_preference, organization_representative,
    prelude::{Account, EmailMessage, EmailPreference, OrganizationRepresentative},
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, sea_query::OnConflict};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{db::Tx, error::ApiResult, holders::Holder, ids};

/// A message, with what it needs to say. Serialized when a [`mailing`](super::mailing) keeps
/// it until its roll's messages are written.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Mail {
    /// A membership application was approved or rejected (to the applicant).
    ApplicationDecided {
        class: String,
        approved: bool,
        reason: Option<String>,
    },
    /// A membership's term ends within 30 days (to the member or the organization's
    /// representatives).
    RenewalDue { class: String, ends_on: NaiveDate },
    /// A membership's term ended and its grace period began.
    GraceStarted {
        class: String,
        grace_ends_on: NaiveDate,
    },
    /// A membership's grace period ended: it expired.
    MembershipExpired { class: String },
    /// A vote opened on an amendment (to everyone on its roll).
    VoteOpened {
        title: String,
        closes_at: DateTime<Utc>,
    },
    /// An election's voting opened (to everyone on its roll).
    ElectionOpened {
        title: String,
        closes_at: DateTime<Utc>,
    },
    /// Someone was nominated and may accept or decline (to the nominee).
    NominationToAccept { election: String },
    /// An organization invited someone to represent it (to the invited person). It may come
    /// from anyone who created an organization, so it can be opted out of.
    RepresentativeInvited {
        organization: String,
        invited_by: String,
    },
    /// The account's password was changed (to the account).
    PasswordChanged { at: DateTime<Utc> },
}

impl Mail {
    /// The kind of message, stored with it and named in its once-only key.
    pub fn kind(&self) -> MailKind {
        match self {
            Self::ApplicationDecided { .. } => MailKind::ApplicationDecided,
            Self::RenewalDue { .. } => MailKind::RenewalDue,
            Self::GraceStarted { .. } => MailKind::GraceStarted,
            Self::MembershipExpired { .. } => MailKind::MembershipExpired,
            Self::VoteOpened { .. } => MailKind::VoteOpened,
            Self::ElectionOpened { .. } => MailKind::ElectionOpened,
            Self::NominationToAccept { .. } => MailKind::NominationToAccept,
            Self::RepresentativeInvited { .. } => MailKind::RepresentativeInvited,
            Self::PasswordChanged { .. } => MailKind::PasswordChanged,
        }
    }

    /// Security and governance mail, which cannot be opted out of.
    pub fn essential(&self) -> bool {
        !self.kind().optional()
    }

    /// The subject line.
    pub fn subject(&self) -> String {
        match self {
            Self::ApplicationDecided {
                class,
                approved: true,
                ..
            } => format!("Your {class} membership application was approved"),
            Self::ApplicationDecided { class, .. } => {
                format!("Your {class} membership application was not approved")
            }
            Self::RenewalDue { class, ends_on } => {
                format!("Your {class} membership ends on {ends_on}: time to renew")
            }
            Self::GraceStarted { class, .. } => {
                format!("Your {class} membership has ended: grace period started")
            }
            Self::MembershipExpired { class } => format!("Your {class} membership has expired"),
            Self::VoteOpened { title, .. } => format!("Vote open: {title}"),
            Self::ElectionOpened { title, .. } => format!("Election open: {title}"),
            Self::NominationToAccept { election } => {
                format!("You were nominated in {election}: please accept or decline")
            }
            Self::PasswordChanged { .. } => "Your password was changed".to_owned(),
            Self::RepresentativeInvited { organization, .. } => {
                format!("You were invited to represent {organization}")
            }
        }
    }

    /// The plain-text body, addressed to `name`.
    pub fn body(&self, name: &str) -> String {
        let text = match self {
            Self::ApplicationDecided {
                class,
                approved: true,
                reason,
            } => format!(
                "Your application for {class} membership was approved. Welcome!{}",
                reason
                    .as_deref()
                    .map(|r| format!("\n\nThe committee noted: {r}"))
                    .unwrap_or_default()
            ),
            Self::ApplicationDecided { class, reason, .. } => format!(
                "Your application for {class} membership was not approved.\n\nThe committee's reason: {}",
                reason.as_deref().unwrap_or("none given")
            ),
            Self::RenewalDue { class, ends_on } => format!(
                "Your {class} membership runs through {ends_on}. Renew it before then to keep \
                 your vote; after that date a grace period begins."
            ),
            Self::GraceStarted {
                class,
                grace_ends_on,
            } => format!(
                "Your {class} membership's term has ended. You keep access during the grace \
                 period, which runs until {grace_ends_on}, but you cannot vote. Renew to be \
                 active again."
            ),
            Self::MembershipExpired { class } => format!(
                "Your {class} membership's grace period is over and it has expired. You can \
                 renew it at any time."
            ),
            Self::VoteOpened { title, closes_at } => format!(
                "Voting has opened on the amendment \"{title}\". You are on its roll. Voting \
                 closes at {}.",
                closes_at.to_rfc3339()
            ),
            Self::ElectionOpened { title, closes_at } => format!(
                "Voting has opened in \"{title}\". You are on its roll. Voting closes at {}.",
                closes_at.to_rfc3339()
            ),
            Self::NominationToAccept { election } => format!(
                "You were nominated as a candidate in \"{election}\". Accept or decline the \
                 nomination before nominations close. Until you accept, no one but you and the \
                 election committee sees whether you may stand. Accepting names you publicly as \
                 a candidate and shows whether you are eligible, which tells that you are a \
                 member even if you asked not to be listed."
            ),
            Self::RepresentativeInvited {
                organization,
                invited_by,
            } => format!(
                "{invited_by} invited you to act for {organization} as one of its \
                 representatives. Nothing changes until you accept: open your member portal to \
                 accept or decline. If you do not know this organization, decline, or simply \
                 ignore this message."
            ),
            Self::PasswordChanged { at } => format!(
                "The password of your account was changed at {}. If this was not you, reset \
                 your password at once and tell the foundation's administrators.",
                at.to_rfc3339()
            ),
        };
        format!("Hello {name},\n\n{text}\n")
    }
}

/// Whom a message goes to.
#[derive(Clone, Copy, Debug)]
pub enum To {
    /// One account.
    Account(Uuid),
    /// A holder: the person, or every representative of the organization.
    Holder(Holder),
}

/// Writes `mail` for each recipient in the caller's transaction; accounts that opted out of
/// non-essential mail are skipped. With `once`, the (kind, subject, day) key makes a dated
/// message be written once per recipient however often it is queued. Returns how many were
/// written.
pub async fn queue(
    tx: &Tx,
    to: &[To],
    mail: &Mail,
    once: Option<(Uuid, NaiveDate)>,
) -> ApiResult<usize> {
    let accounts = recipients(tx, to).await?;
    let key = |account: Uuid| {
        once.map(|(subject, day)| format!("{}:{subject}:{day}:{account}", mail.kind().name()))
    };
    write(tx, &accounts, mail, key).await
}

/// Writes `mail` to each of `accounts` that may receive it (opted-out accounts skipped for
/// non-essential mail), a few hundred per statement. A message whose `key` was written before is
/// skipped. Returns how many were written.
pub(super) async fn write(
    db: &impl ConnectionTrait,
    accounts: &BTreeSet<Uuid>,
    mail: &Mail,
    key: impl Fn(Uuid) -> Option<String>,
) -> ApiResult<usize> {
    let now = Utc::now();
    let ids: Vec<Uuid> = accounts.iter().copied().collect();
    let mut written = 0;
    for chunk in ids.chunks(CHUNK) {
        let opted_out: BTreeSet<Uuid> = if mail.essential() {
            BTreeSet::new()
        } else {
            EmailPreference::find()
                .filter(email_preference::Column::AccountId.is_in(chunk.iter().copied()))
                .filter(email_preference::Column::NonEssential.eq(false))
                .all(db)
                .await?
                .into_iter()
                .map(|row| row.account_id)
                .collect()
        };
        let rows = Account::find()
            .filter(account::Column::Id.is_in(chunk.iter().copied()))
            .all(db)
            .await?;
        let messages: Vec<_> = rows
            .iter()
            .filter(|row| !opted_out.contains(&row.id))
            .map(|row| email_message::ActiveModel {
                id: Set(ids::new_key()),
                account_id: Set(Some(row.id)),
                to_address: Set(row.email.clone()),
                kind: Set(mail.kind()),
                subject: Set(mail.subject()),
                body: Set(Some(mail.body(&row.display_name))),
                essential: Set(mail.essential()),
                dedup_key: Set(key(row.id)),
                status: Set(MailStatus::Pending),
                attempts: Set(0),
                next_attempt_at: Set(now),
                last_error: Set(None),
                created_at: Set(now),
                sent_at: Set(None),
            })
            .collect();
        if messages.is_empty() {
            continue;
        }
        let inserted = EmailMessage::insert_many(messages)
            .on_conflict(
                OnConflict::column(email_message::Column::DedupKey)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
        written += usize::try_from(inserted).unwrap_or(usize::MAX);
    }
    Ok(written)
}

/// Accounts read, and messages written, per statement: 14 parameters a message keeps a
/// statement well under SQLite's 32,766 bound parameters.
const CHUNK: usize = 1_000;

/// The accounts behind `to`, each once.
pub(super) async fn recipients(db: &impl ConnectionTrait, to: &[To]) -> ApiResult<BTreeSet<Uuid>> {
    let mut accounts = BTreeSet::new();
    let mut organizations = Vec::new();
    for recipient in to {
        match recipient {
            To::Account(id) | To::Holder(Holder::Account(id)) => {
                accounts.insert(*id);
            }
            To::Holder(Holder::Organization(id)) => organizations.push(*id),
        }
    }
    for chunk in organizations.chunks(CHUNK) {
        accounts.extend(
            OrganizationRepresentative::find()
                .filter(
                    organization_representative::Column::OrganizationId
                        .is_in(chunk.iter().copied()),
                )
                .all(db)
                .await?
                .into_iter()
                .map(|link| link.account_id),
        );
    }
    Ok(accounts)
}

/// A password was changed: tells the account. For the command that changes passwords.
pub async fn password_changed(tx: &Tx, account_id: Uuid) -> ApiResult<()> {
    let mail = Mail::PasswordChanged { at: Utc::now() };
    queue(tx, &[To::Account(account_id)], &mail, None).await?;
    Ok(())
}

/// Someone was invited to represent an organization: asks them to accept or decline. For the
/// organization commands.
pub async fn representative_invited(
    tx: &Tx,
    invited: Uuid,
    organization: &str,
    invited_by: &str,
) -> ApiResult<()> {
    let mail = Mail::RepresentativeInvited {
        organization: organization.to_owned(),
        invited_by: invited_by.to_owned(),
    };
    queue(tx, &[To::Account(invited)], &mail, None).await?;
    Ok(())
}

/// Someone was nominated: asks the nominee to accept or decline. For the election commands.
pub async fn nomination_to_accept(tx: &Tx, nominee: Uuid, election: &str) -> ApiResult<()> {
    let mail = Mail::NominationToAccept {
        election: election.to_owned(),
    };
    queue(tx, &[To::Account(nominee)], &mail, None).await?;
    Ok(())
}
