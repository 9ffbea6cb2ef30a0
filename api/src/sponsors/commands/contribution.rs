//! Contribution commands: the treasurer's ledger of what a sponsorship brought in.

use chrono::{NaiveDate, Utc};
use entity::contribution::{self, ContributionKind};
use sea_orm::{ActiveEnum, ActiveModelTrait, DatabaseTransaction, Set};
use serde_json::json;
use uuid::Uuid;

use crate::{
    audit::{self, Actor, Entry},
    auth::Viewer,
    db::lock_key,
    error::{ApiError, ApiResult},
    ids,
    money::Money,
    sponsors::commands::sponsorship::find,
};

/// A contribution to record, parsed: the amount is more than zero.
pub struct RecordContribution {
    pub sponsorship_id: Uuid,
    pub amount: Money,
    pub received_on: NaiveDate,
    pub kind: ContributionKind,
    pub note: String,
}

/// Records money or in-kind value received under a sponsorship, in the sponsorship's currency.
#[tracing::instrument(skip_all, fields(sponsorship = %input.sponsorship_id))]
pub async fn record(
    tx: &DatabaseTransaction,
    viewer: &Viewer,
    input: RecordContribution,
) -> ApiResult<contribution::Model> {
    let me = viewer.require_account()?;
    let sponsorship = find(tx, input.sponsorship_id).await?;
    lock_key(tx, &sponsorship.sponsor_key).await?;
    if sponsorship.currency != input.amount.currency().code() {
        return Err(ApiError::bad_input(
            "input.currency",
            format!("the sponsorship is in {}", sponsorship.currency),
        ));
    }
    let row = contribution::ActiveModel {
        id: Set(ids::new_key()),
        sponsorship_id: Set(sponsorship.id),
        amount_minor: Set(input.amount.amount_minor()),
        currency: Set(input.amount.currency().code().to_owned()),
        received_on: Set(input.received_on),
        kind: Set(input.kind),
        note: Set(input.note),
        recorded_by: Set(me.id),
        created_at: Set(Utc::now()),
    }
    .insert(tx)
    .await?;
    audit::record(
        tx,
        Entry {
            actor: Actor::Account(me.id),
            action: "contribution.recorded",
            subject_kind: "Sponsorship",
            subject_id: sponsorship.id,
            summary: json!({
                "contribution": row.id,
                "amountMinor": row.amount_minor.to_string(),
                "currency": row.currency,
                "kind": row.kind.to_value(),
                "receivedOn": row.received_on,
            }),
        },
    )
    .await?;
    Ok(row)
}
