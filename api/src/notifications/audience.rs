//! Who may read an event, asked when it is written and again before every attempt: "a payload
//! never carries anything the endpoint's owner may not read". An event is public now (consent
//! given, membership disclosed), or it goes only to endpoints whose audience reaches its holder
//! and whose creator still holds the right that audience needs.
//!
//! The sponsor's consent and the membership's disclosure are read straight from their tables:
//! the sponsors and members modules call into notifications, not the other way round.

use entity::{
    account_role, organization_representative, outbox_event,
    prelude::{AccountRole, Membership, OrganizationRepresentative, SponsorConsent},
    webhook_endpoint::{self, WebhookAudience},
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

use crate::{auth::Role, error::ApiResult, holders::Holder, notifications::outbox::Audience};

/// Whether an event for `audience` about `subject` is public at this moment.
pub async fn public_now(
    db: &impl ConnectionTrait,
    audience: Audience,
    subject: Uuid,
) -> ApiResult<bool> {
    Ok(match audience {
        Audience::Public => true,
        Audience::Holder(_) => false,
        Audience::WhileSponsorShown(sponsor) => SponsorConsent::find_by_id(sponsor.key())
            .one(db)
            .await?
            .is_some_and(|consent| consent.disclose),
        Audience::WhileMembershipDisclosed(_) => Membership::find_by_id(subject)
            .one(db)
            .await?
            .is_some_and(|membership| membership.disclose),
    })
}

/// Whether `endpoint` may receive an event for `audience`, `public` saying whether the event
/// is public now. What is not public goes only where the endpoint's audience reaches the
/// event's holder, and only while the endpoint's creator still holds the right behind it: an
/// ADMIN who lost the role, or a representative who left the organization, leaves the
/// endpoint with public events alone.
pub async fn may_receive(
    db: &impl ConnectionTrait,
    endpoint: &webhook_endpoint::Model,
    audience: Audience,
    public: bool,
) -> ApiResult<bool> {
    if public {
        return Ok(true);
    }
    let Some(holder) = audience.holder() else {
        return Ok(true);
    };
    Ok(match endpoint.audience {
        WebhookAudience::Public => false,
        WebhookAudience::Organization => match (endpoint.organization_id, holder) {
            (Some(own), Holder::Organization(about)) if own == about => {
                represents(db, endpoint.created_by, own).await?
                    || is_admin(db, endpoint.created_by).await?
            }
            _ => false,
        },
        WebhookAudience::Admin => {
            endpoint.organization_id.is_none() && is_admin(db, endpoint.created_by).await?
        }
    })
}

/// Whether the delivery of `event` to `endpoint` may still go out: the event as it stands now,
/// and the endpoint's creator's right as it stands now.
pub async fn deliverable(
    db: &impl ConnectionTrait,
    endpoint: &webhook_endpoint::Model,
    event: &outbox_event::Model,
) -> ApiResult<bool> {
    let audience = Audience::of(event)?;
    let public = public_now(db, audience, event.subject_id).await?;
    may_receive(db, endpoint, audience, public).await
}

async fn is_admin(db: &impl ConnectionTrait, account: Uuid) -> ApiResult<bool> {
    Ok(AccountRole::find()
        .filter(account_role::Column::AccountId.eq(account))
        .filter(account_role::Column::Role.eq(Role::Admin))
        .count(db)
        .await?
        > 0)
}

async fn represents(
    db: &impl ConnectionTrait,
    account: Uuid,
    organization: Uuid,
) -> ApiResult<bool> {
    Ok(OrganizationRepresentative::find()
        .filter(organization_representative::Column::AccountId.eq(account))
        .filter(organization_representative::Column::OrganizationId.eq(organization))
        .count(db)
        .await?
        > 0)
}
