//! An account's choice about non-essential mail (reminders). Security and governance mail is
//! not affected.

use chrono::Utc;
use entity::{
    email_preference::{self, Column},
    prelude::EmailPreference,
};
use sea_orm::{ConnectionTrait, EntityTrait, Set, sea_query::OnConflict};
use uuid::Uuid;

use crate::{auth::Viewer, db::Tx, error::ApiResult};

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
    let row = email_preference::ActiveModel {
        account_id: Set(me.id),
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
    Ok(non_essential)
}
