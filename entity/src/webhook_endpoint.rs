//! `webhook_endpoints`: where an integration receives signed events.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_endpoints")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub url: String,
    /// Comma-separated dotted event names, e.g. `sponsorship.created,sponsorship.lapsed`.
    pub events: String,
    /// The `whsec_…` signing secret. Kept because signing needs it; never read back over the API.
    pub secret: String,
    /// The organization that owns it; `None` for the foundation's own (made by an ADMIN).
    pub organization_id: Option<Uuid>,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub secret_rotated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
