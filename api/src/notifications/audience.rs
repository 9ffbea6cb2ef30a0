//! Who may read an event, asked when it is written and again before every attempt: "a payload
//! never carries anything the endpoint's owner may not read". An event is public now (consent
//! given, membership disclosed), or it goes only to endpoints whose audience reaches its holder
//! and whose creator still holds the right that audience needs.
//!
//! The sponsor's consent and the membership's disclosure are read straight from their tables:
//! the sponsors and members modules call into notifications, not the other way round.

use entity::{
    account_role, organization_representative,
    outbox_event::{self, EventAudience},
    prelude::{AccountRole, Membership, OrganizationRepresentative, SponsorConsent},
    webhook_endpoint::{self, WebhookAudience},
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

use crate::{
    auth::Role,
    error::{ApiError, ApiResult},
    holders::Holder,
};

/// Who may read an event. Decided when it is written, and again before each delivery (see
/// this module's checks): consent withdrawn or a membership undisclosed in between stops it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    /// Anyone may know it, for good (an amendment's or an election's outcome).
    Public,
    /// Public while the sponsor consents to be shown; otherwise only the sponsor's own endpoints
    /// and the foundation's ADMIN ones may read it.
    WhileSponsorShown(Holder),
    /// Public while the membership the event is about (its subject) is disclosed; otherwise
    /// only the holder's own endpoints and the foundation's ADMIN ones may read it.
    WhileMembershipDisclosed(Holder),
    /// Never public: only the holder's own endpoints and the foundation's ADMIN ones.
    Holder(Holder),
}

impl Audience {
    /// The holder who may read it however it stands; `None` when it is public for good.
    pub fn holder(self) -> Option<Holder> {
        match self {
            Self::Public => None,
            Self::WhileSponsorShown(holder)
            | Self::WhileMembershipDisclosed(holder)
            | Self::Holder(holder) => Some(holder),
        }
    }

    /// As stored: the rule in `outbox_events.audience`, and the holder it names in
    /// `audience_account_id` or `audience_organization_id`.
    pub fn columns(self) -> (EventAudience, Option<Uuid>, Option<Uuid>) {
        let (rule, holder) = match self {
            Self::Public => (EventAudience::Public, None),
            Self::WhileSponsorShown(holder) => (EventAudience::WhileSponsorShown, Some(holder)),
            Self::WhileMembershipDisclosed(holder) => {
                (EventAudience::WhileMembershipDisclosed, Some(holder))
            }
            Self::Holder(holder) => (EventAudience::Holder, Some(holder)),
        };
        let (account, organization) = holder.map_or((None, None), Holder::columns);
        (rule, account, organization)
    }

    /// Reads what [`Audience::columns`] stored. A rule without its holder, or public with one,
    /// is corruption.
    pub fn of(event: &outbox_event::Model) -> ApiResult<Self> {
        let holder =
            || Holder::from_columns(event.audience_account_id, event.audience_organization_id);
        Ok(match event.audience {
            EventAudience::Public => {
                if event.audience_account_id.is_some() || event.audience_organization_id.is_some() {
                    return Err(ApiError::internal(format!(
                        "outbox event {} is public but names a holder",
                        event.id
                    )));
                }
                Self::Public
            }
            EventAudience::WhileSponsorShown => Self::WhileSponsorShown(holder()?),
            EventAudience::WhileMembershipDisclosed => Self::WhileMembershipDisclosed(holder()?),
            EventAudience::Holder => Self::Holder(holder()?),
        })
    }
}

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
