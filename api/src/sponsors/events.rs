//! The webhook events of sponsorships: created, renewed, tier changed, lapsed, cancelled,
//! named as the activity feed names them. A sponsor that
//! withdrew display consent is told only to the endpoints that may read it anyway (its own
//! organization's, the foundation's ADMIN ones); a sponsorship is told when it has started.

use chrono::NaiveDate;
use entity::{
    prelude::{Account, Organization, SponsorTier},
    sponsor_activity::SponsorActivityKind,
    sponsorship,
};
use sea_orm::EntityTrait;
use serde_json::json;
use uuid::Uuid;

use crate::{
    db::Tx,
    error::{ApiError, ApiResult},
    holders::Holder,
    notifications::{
        audience::Audience,
        outbox::{self, Event, WebhookEvent},
    },
    sponsors::list::{PublicSponsor, PublicTier, public_sponsor_id},
};

/// Tells integrations of a sponsorship that has started, by the name its activity has
/// (`activity`): `sponsorship.created` for a sponsor that began, `sponsorship.renewed` for one
/// that continued at the same tier, `sponsorship.tier_changed` (with `previous_tier`) for one
/// that continued at another. At recording, or on its start date from the catch-up job.
pub async fn announce(
    tx: &Tx,
    row: &sponsorship::Model,
    activity: SponsorActivityKind,
    previous_tier: Option<Uuid>,
) -> ApiResult<()> {
    emit(tx, activity.event(), row, previous_tier, None).await
}

/// Emits `kind` about `row` in the caller's transaction. `previous_tier` names the tier a
/// sponsor moved from; `on` makes a dated event (a lapse) happen once.
///
/// The payload is what the public sponsor list shows of the sponsor (`PublicSponsor`: id,
/// display name, website, logo, sponsor-since and tier), and nothing internal: no sponsorship
/// id, amount or dates. The event is public while the sponsor consents to be shown, which the
/// outbox checks again before every attempt.
pub async fn emit(
    tx: &Tx,
    kind: WebhookEvent,
    row: &sponsorship::Model,
    previous_tier: Option<Uuid>,
    on: Option<NaiveDate>,
) -> ApiResult<()> {
    let sponsor = Holder::from_columns(row.sponsor_account_id, row.sponsor_organization_id)?;
    let (display_name, website_url, logo_url) = match sponsor {
        Holder::Account(id) => (
            Account::find_by_id(id)
                .one(tx)
                .await?
                .map(|a| a.display_name),
            None,
            None,
        ),
        Holder::Organization(id) => match Organization::find_by_id(id).one(tx).await? {
            Some(org) => (Some(org.name), org.website_url, org.logo_url),
            None => (None, None, None),
        },
    };
    let tier = |id: Uuid| async move {
        SponsorTier::find_by_id(id)
            .one(tx)
            .await?
            .map(|tier| PublicTier::of(&tier))
            .ok_or_else(|| ApiError::internal(format!("sponsor tier {id} is missing")))
    };
    let public = PublicSponsor {
        id: public_sponsor_id(row.sponsor_account_id, row.sponsor_organization_id),
        display_name: display_name.unwrap_or_default(),
        website_url,
        logo_url,
        sponsor_since: row.sponsor_since.into(),
        since: row.sponsor_since.into(),
        tier: tier(row.tier_id).await?,
    };
    let mut data = json!({ "sponsor": public });
    if let Some(previous) = previous_tier {
        data["previousTier"] = json!(tier(previous).await?);
    }
    outbox::emit(
        tx,
        Event {
            kind,
            subject_id: row.id,
            data,
            audience: Audience::WhileSponsorShown(sponsor),
            on,
        },
    )
    .await?;
    Ok(())
}
