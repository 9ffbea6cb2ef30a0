//! `sponsor_activities`: what integrations sync from.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sponsor_activities")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub sponsorship_id: Uuid,
    /// `NEW_SPONSORSHIP`, `TIER_CHANGE`, `LAPSED` or `CANCELLED`.
    pub kind: String,
    pub previous_tier_id: Option<Uuid>,
    pub occurred_at: DateTimeUtc,
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
