//! `sponsor_tiers`: Platinum, Gold, Silver, Community and any the treasurer adds.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sponsor_tiers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub name: String,
    /// Placement in lists: 1 comes first.
    pub rank: i32,
    pub minimum_yearly_minor: i64,
    pub currency: String,
    pub vote_weight: i32,
    /// A JSON array of strings.
    #[sea_orm(column_type = "Text")]
    pub benefits: String,
    pub state: TierState,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// Whether a tier can be chosen.
#[derive(
    Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum TierState {
    /// Being prepared; not offered yet.
    Draft,
    /// Offered: sponsorships can be recorded at it.
    Published,
    /// No longer offered; existing sponsorships keep it.
    Retired,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
