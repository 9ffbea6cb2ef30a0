//! `contributions`: money and in-kind value received, in exact minor units.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "contributions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub sponsorship_id: Uuid,
    pub amount_minor: i64,
    pub currency: String,
    pub received_on: Date,
    pub kind: ContributionKind,
    #[sea_orm(column_type = "Text")]
    pub note: String,
    pub recorded_by: Uuid,
    pub created_at: DateTimeUtc,
}

/// Money or value in kind.
#[derive(
    Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum ContributionKind {
    /// Money received.
    Monetary,
    /// Hardware, services or staff time, at its value.
    InKind,
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
