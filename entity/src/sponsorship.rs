//! `sponsorships`: a sponsor at a tier for a period.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sponsorships")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tier_id: Uuid,
    /// `account:<uuid>` or `organization:<uuid>`.
    pub sponsor_key: String,
    pub sponsor_account_id: Option<Uuid>,
    pub sponsor_organization_id: Option<Uuid>,
    pub amount_minor: i64,
    pub currency: String,
    pub starts_on: Date,
    pub ends_on: Date,
    /// The start of the sponsor's unbroken run of sponsorships, for ordering the public list.
    pub sponsor_since: Date,
    pub auto_renew: bool,
    /// `PENDING`, `ACTIVE` or `CANCELLED`; an active one past its end reads as `LAPSED`.
    pub status: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub in_kind_description: Option<String>,
    /// Consent to show the sponsor's name, logo and URL in public.
    pub disclose: bool,
    #[sea_orm(column_type = "Text", nullable)]
    pub cancel_reason: Option<String>,
    pub recorded_by: Uuid,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::sponsor_tier::Entity",
        from = "Column::TierId",
        to = "super::sponsor_tier::Column::Id"
    )]
    Tier,
    #[sea_orm(
        belongs_to = "super::organization::Entity",
        from = "Column::SponsorOrganizationId",
        to = "super::organization::Column::Id"
    )]
    Organization,
    #[sea_orm(
        belongs_to = "super::account::Entity",
        from = "Column::SponsorAccountId",
        to = "super::account::Column::Id"
    )]
    Account,
}

impl Related<super::sponsor_tier::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Tier.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
