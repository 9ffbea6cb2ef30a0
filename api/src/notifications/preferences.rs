//! An account's choice about non-essential mail (reminders). Security and governance mail is
//! not affected. The choice is made by the account itself (`setEmailPreferences`) or through a
//! one-click unsubscribe link, and audited either way.

use chrono::Utc;
use entity::{
    email_preference::{self, Column},
    prelude::EmailPreference,
};
use sea_orm::{ConnectionTrait, EntityTrait, Set, sea_query::OnConflict};
use serde_json::json;
use uuid::Uuid;

use crate::{
    audit::{self, Actor, AuditAction, Entry, SubjectKind},
    auth::Viewer,
    db::Tx,
    error::ApiResult,
    notifications::unsubscribe::Unsubscribe,
};

/// Whether `account` receives non-essential mail; yes unless it opted out.
pub async fn non_essential(db: &impl ConnectionTrait, account: Uuid) -> ApiResult<bool> {
    Ok(EmailPreference::find_by_id(account)
        .one(db)
        .await?
        .is_none_or(|row| row.non_essential))
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

/// Opts the account a checked unsubscribe token names out of non-essential mail.
pub async fn unsubscribe(tx: &Tx, link: &Unsubscribe) -> ApiResult<()> {
    write(
        tx,
        link.account,
        false,
        json!({ "via": "one-click unsubscribe", "mail": link.kind.name() }),
    )
    .await
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
    };
    EmailPreference::insert(row)
        .on_conflict(
            OnConflict::column(Column::AccountId)
                .update_columns([Column::NonEssential, Column::UpdatedAt])
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
