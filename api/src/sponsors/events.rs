//! The webhook events of sponsorships: created, tier changed, lapsed, cancelled. A sponsor that
//! withdrew display consent is told only to its own endpoints and the foundation's.

use chrono::NaiveDate;
use entity::{
    prelude::{Account, Organization, SponsorTier},
    sponsorship,
};
use sea_orm::EntityTrait;
use serde_json::json;
use uuid::Uuid;

use crate::{
    accounts::types::{Account as AccountNode, Organization as OrganizationNode},
    db::Tx,
    error::ApiResult,
    holders::Holder,
    ids,
    notifications::outbox::{self, Audience, Event, WebhookEvent},
    sponsors::{consent, tiers::SponsorTier as TierNode, types::Sponsorship as SponsorshipNode},
};

/// Emits `kind` about `row` in the caller's transaction. `previous_tier` names the tier a
/// sponsor moved from; `on` makes a dated event (a lapse) happen once.
pub async fn emit(
    tx: &Tx,
    kind: WebhookEvent,
    row: &sponsorship::Model,
    previous_tier: Option<Uuid>,
    on: Option<NaiveDate>,
) -> ApiResult<()> {
    let sponsor = Holder::from_columns(row.sponsor_account_id, row.sponsor_organization_id)?;
    let shown = consent::of(tx, &row.sponsor_key).await?.unwrap_or(false);
    let sponsor_json = match sponsor {
        Holder::Account(id) => json!({
            "type": "Account",
            "id": ids::id_of::<AccountNode>(id).to_string(),
            "name": Account::find_by_id(id).one(tx).await?.map(|a| a.display_name),
        }),
        Holder::Organization(id) => json!({
            "type": "Organization",
            "id": ids::id_of::<OrganizationNode>(id).to_string(),
            "name": Organization::find_by_id(id).one(tx).await?.map(|o| o.name),
        }),
    };
    let tier = |id: Uuid| async move {
        ApiResult::Ok(SponsorTier::find_by_id(id).one(tx).await?.map(|tier| {
            json!({ "id": ids::id_of::<TierNode>(tier.id).to_string(), "name": tier.name, "rank": tier.rank })
        }))
    };
    let mut data = json!({
        "sponsorship": {
            "id": ids::id_of::<SponsorshipNode>(row.id).to_string(),
            "startsOn": row.starts_on,
            "endsOn": row.ends_on,
            "sponsorSince": row.sponsor_since,
        },
        "sponsor": sponsor_json,
        "tier": tier(row.tier_id).await?,
    });
    if let Some(previous) = previous_tier {
        data["previousTier"] = tier(previous).await?.unwrap_or_default();
    }
    outbox::emit(
        tx,
        Event {
            kind,
            subject_id: row.id,
            data,
            audience: Audience::shown_or(shown, sponsor),
            on,
        },
    )
    .await?;
    Ok(())
}
