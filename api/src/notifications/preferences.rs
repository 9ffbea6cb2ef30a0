//! An account's choice about non-essential mail (reminders). Security and governance mail is
//! not affected. The choice is made by the account itself (`setEmailPreferences`) or through a
//! one-click unsubscribe link, and audited either way.

use chrono::Utc;
use entity::{
    email_preference::{self, Column},
    prelude::EmailPreference,
};
use sea_orm::{
    ConnectionTrait, EntityTrait, QuerySelect, Set,
    sea_query::{Expr, ExprTrait, OnConflict},
};
use serde_json::json;
use uuid::Uuid;

use crate::{
    audit::{self, Actor, AuditAction, Entry, SubjectKind},
    auth::Viewer,
    db::Tx,
    error::ApiResult,
    notifications::unsubscribe::Unsubscribe,
};

/// An account's choice as it stands, and how many times it changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Choice {
    /// Whether the account receives non-essential mail; yes unless it opted out.
    pub non_essential: bool,
    /// Counts the changes: what an unsubscribe link signs (0 for a choice never made).
    pub version: i32,
}

/// `account`'s choice.
pub async fn choice(db: &impl ConnectionTrait, account: Uuid) -> ApiResult<Choice> {
    Ok(EmailPreference::find_by_id(account).one(db).await?.map_or(
        Choice {
            non_essential: true,
            version: 0,
        },
        |row| Choice {
            non_essential: row.non_essential,
            version: row.version,
        },
    ))
}

/// Whether `account` receives non-essential mail; yes unless it opted out.
pub async fn non_essential(db: &impl ConnectionTrait, account: Uuid) -> ApiResult<bool> {
    Ok(choice(db, account).await?.non_essential)
}

/// Whether a checked unsubscribe link still holds: the account's choice has not changed since
/// the mail was sent, or the account is opted out already (doing it twice is harmless). A link
/// sent before the account asked for reminders again does not hold: replayed, it would undo
/// their latest choice.
pub async fn link_holds(db: &impl ConnectionTrait, link: &Unsubscribe) -> ApiResult<bool> {
    let now = choice(db, link.account).await?;
    Ok(now.version == link.version || !now.non_essential)
}

/// Sets the viewer's choice. Returns it.
pub async fn set(tx: &Tx, viewer: &Viewer, non_essential: bool) -> ApiResult<bool> {
    let me = viewer.require_account()?;
    write(
        tx,
        me.id,
        non_essential,
        json!({ "via": "setEmailPreferences" }),
    )
    .await?;
    Ok(non_essential)
}

/// Opts the account a checked unsubscribe token names out of non-essential mail, if the link
/// still holds ([`link_holds`]); returns whether it did. Already opted out, nothing changes.
pub async fn unsubscribe(tx: &Tx, link: &Unsubscribe) -> ApiResult<bool> {
    // The row is locked, so that a change of mind committing meanwhile is seen, not overwritten.
    let now = EmailPreference::find_by_id(link.account)
        .lock_exclusive()
        .one(tx)
        .await?;
    let (non_essential, version) = now.map_or((true, 0), |row| (row.non_essential, row.version));
    if !non_essential {
        return Ok(true);
    }
    if version != link.version {
        return Ok(false);
    }
    write(
        tx,
        link.account,
        false,
        json!({ "via": "one-click unsubscribe", "mail": link.kind.name() }),
    )
    .await?;
    Ok(true)
}

/// Stores the choice and audits it, as done by the account itself.
async fn write(
    tx: &Tx,
    account: Uuid,
    non_essential: bool,
    how: serde_json::Value,
) -> ApiResult<()> {
    let row = email_preference::ActiveModel {
        account_id: Set(account),
        non_essential: Set(non_essential),
        updated_at: Set(Utc::now()),
        version: Set(1),
    };
    // Every change counts the version up: the links sent before it stop holding.
    EmailPreference::insert(row)
        .on_conflict(
            OnConflict::column(Column::AccountId)
                .update_columns([Column::NonEssential, Column::UpdatedAt])
                .value(
                    Column::Version,
                    Expr::col((EmailPreference, Column::Version)).add(1),
                )
                .to_owned(),
        )
        .exec(tx)
        .await?;
    let mut summary = json!({ "nonEssential": non_essential });
    if let (Some(summary), Some(how)) = (summary.as_object_mut(), how.as_object()) {
        summary.extend(how.clone());
    }
    audit::record(
        tx,
        Entry {
            actor: Actor::Account(account),
            action: AuditAction::EmailPreferencesChanged,
            subject_kind: SubjectKind::Account,
            subject_id: account,
            summary,
        },
    )
    .await
}
