//! `sponsor_activities`: what integrations sync from.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sponsor_activities")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub sponsorship_id: Uuid,
    pub kind: SponsorActivityKind,
    pub previous_tier_id: Option<Uuid>,
    pub occurred_at: DateTimeUtc,
}

/// What happened to a sponsorship.
#[derive(
    Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum SponsorActivityKind {
    /// A sponsor began.
    NewSponsorship,
    /// A sponsor renewed at the same tier.
    Renewal,
    /// A sponsor continued at another tier.
    TierChange,
    /// A sponsorship reached its end.
    Lapsed,
    /// A sponsorship was cancelled.
    Cancelled,
}

impl SponsorActivityKind {
    /// The one name of this change across the activity feed, webhooks and their payloads.
    pub fn event(self) -> crate::outbox_event::WebhookEvent {
        use crate::outbox_event::WebhookEvent;
        match self {
            Self::NewSponsorship => WebhookEvent::SponsorshipCreated,
            Self::Renewal => WebhookEvent::SponsorshipRenewed,
            Self::TierChange => WebhookEvent::SponsorshipTierChanged,
            Self::Lapsed => WebhookEvent::SponsorshipLapsed,
            Self::Cancelled => WebhookEvent::SponsorshipCancelled,
        }
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::sponsorship::Entity",
        from = "Column::SponsorshipId",
        to = "super::sponsorship::Column::Id"
    )]
    Sponsorship,
}

impl Related<super::sponsorship::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Sponsorship.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
