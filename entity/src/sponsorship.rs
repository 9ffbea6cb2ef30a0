//! `sponsorships`: a sponsor at a tier for a period. Display consent is the sponsor's
//! (`sponsor_consents`), not a sponsorship's.

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
    /// The first day.
    pub starts_on: Date,
    /// The day it ends: it runs up to this day, not on it.
    pub ends_on: Date,
    /// The start of the sponsor's unbroken run of sponsorships, for ordering the public list.
    pub sponsor_since: Date,
    /// The rank of the tier, copied from it and kept in step by the tier commands, so that the
    /// public list's order lies in this table and one index serves it.
    pub tier_rank: i32,
    pub auto_renew: bool,
    /// Only what the treasurer decides is stored; whether it is pending, running or lapsed
    /// follows from the dates when read.
    pub status: SponsorshipState,
    #[sea_orm(column_type = "Text", nullable)]
    pub in_kind_description: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub cancel_reason: Option<String>,
    pub recorded_by: Uuid,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// When `sponsorship.created` was told: at recording once it has started, otherwise on its
    /// start date (the scheduler). Null while it waits; a cancelled one is never told.
    pub announced_at: Option<DateTimeUtc>,
}

/// The stored state of a sponsorship. Not a GraphQL type: the API shows the status derived from
/// this and the dates (`PENDING`, `ACTIVE`, `LAPSED`, `CANCELLED`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
pub enum SponsorshipState {
    /// Recorded and standing; the dates say whether it has started or lapsed.
    Active,
    /// Ended early by the treasurer.
    Cancelled,
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
