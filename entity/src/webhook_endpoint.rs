//! `webhook_endpoints`: where an integration receives signed events.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_endpoints")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub url: String,
    /// The signing secret, sealed (AES-256-GCM under the server's key; see
    /// `api::auth::sealing`). Kept because signing needs it; never read back over the API. A
    /// value still starting `whsec_` is a plaintext one from before sealing, sealed at start-up.
    pub secret: String,
    /// The secret before the last rotation, sealed likewise: it still signs, beside the new one,
    /// until `previous_secret_expires_at`.
    pub previous_secret: Option<String>,
    pub previous_secret_expires_at: Option<DateTimeUtc>,
    /// What the endpoint may receive, under its creator's right checked at each delivery.
    pub audience: WebhookAudience,
    /// The organization that owns it; `None` for the foundation's own (made by an ADMIN).
    pub organization_id: Option<Uuid>,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub secret_rotated_at: DateTimeUtc,
}

/// What a webhook endpoint may receive. Whatever it says, an event goes only where its creator
/// may still read it: the right is checked again at each delivery.
#[derive(
    Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum WebhookAudience {
    /// What anonymous callers may read: no opted-out sponsor, no undisclosed member. The default.
    Public,
    /// Also the events about the endpoint's own organization that only it may read (its
    /// sponsorship while it withholds consent, its undisclosed membership), while the endpoint's
    /// creator represents the organization (or is an ADMIN).
    Organization,
    /// Everything an ADMIN may read, while the endpoint's creator holds the ADMIN role; only for
    /// the foundation's own endpoints.
    Admin,
}

/// The events it subscribes to are rows of `webhook_endpoint_events`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::webhook_endpoint_event::Entity")]
    Events,
}

impl Related<super::webhook_endpoint_event::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Events.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
