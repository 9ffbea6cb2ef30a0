//! Contribution commands: the treasurer's ledger of what a sponsorship brought in.

use crate::audit::{AuditAction, SubjectKind};
use crate::db::Tx;
use chrono::{NaiveDate, Utc};
use entity::{
    contribution::{self, ContributionKind},
    prelude::Contribution as Contributions,
};
use sea_orm::{ActiveEnum, ActiveModelTrait, EntityTrait, Set};
use serde_json::json;
use uuid::Uuid;

use crate::{
    audit::{self, Actor, Entry},
    auth::Viewer,
    db::lock_key,
    error::{ApiError, ApiResult},
    holders::Holder,
    ids,
    money::Money,
    sponsors::{
        commands::sponsorship::{find, refuse_own_case},
        idempotency::{Claim, IdempotencyScope},
    },
};

/// A contribution to record, parsed: the amount is more than zero.
pub struct RecordContribution {
    pub sponsorship_id: Uuid,
    pub amount: Money,
    pub received_on: NaiveDate,
    pub kind: ContributionKind,
    pub note: String,
    /// A retry with the same key and input returns the first result.
    pub idempotency_key: Option<String>,
}

impl RecordContribution {
    /// The input as the idempotency key's hash covers it.
    fn canonical(&self) -> serde_json::Value {
        json!({
            "sponsorship": self.sponsorship_id,
            "amountMinor": self.amount.amount_minor().to_string(),
            "currency": self.amount.currency().code(),
            "receivedOn": self.received_on,
            "kind": self.kind.to_value(),
            "note": self.note,
        })
    }
}

/// Records money or in-kind value received under a sponsorship, in the sponsorship's currency.
/// Recording it for oneself, or for an organization one represents, is `FORBIDDEN`. With an
/// idempotency key already used for the same input, it returns that contribution.
#[tracing::instrument(skip_all, fields(sponsorship = %input.sponsorship_id))]
pub async fn record(
    tx: &Tx,
    viewer: &Viewer,
    input: RecordContribution,
) -> ApiResult<contribution::Model> {
    let me = viewer.require_account()?;
    let sponsorship = find(tx, input.sponsorship_id).await?;
    lock_key(tx, &sponsorship.sponsor_key).await?;
    let sponsor = Holder::from_columns(
        sponsorship.sponsor_account_id,
        sponsorship.sponsor_organization_id,
    )?;
    refuse_own_case(tx, me.id, sponsor, "contribution", sponsorship.created_at).await?;
    let claim = input.idempotency_key.clone().map(|key| {
        Claim::new(
            IdempotencyScope::RecordContribution,
            key,
            &input.canonical(),
        )
    });
    if let Some(claim) = &claim
        && let Some(earlier) = claim.earlier(tx).await?
    {
        return Contributions::find_by_id(earlier)
            .one(tx)
            .await?
            .ok_or_else(|| ApiError::internal("an idempotency key names a missing contribution"));
    }
    if sponsorship.currency != input.amount.currency().code() {
        return Err(ApiError::bad_input(
            crate::field!(input.currency),
            format!("the sponsorship is in {}", sponsorship.currency),
        ));
    }
    let row = contribution::ActiveModel {
        id: Set(ids::new_key()),
        sponsorship_id: Set(sponsorship.id),
        amount_minor: Set(input.amount.stored_minor()?),
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
            action: AuditAction::ContributionRecorded,
            subject_kind: SubjectKind::Sponsorship,
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
    if let Some(claim) = claim {
        claim.store(tx, row.id).await?;
    }
    Ok(row)
}
