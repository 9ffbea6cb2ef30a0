//! `amendment_votes`: one vote per roll entry, changeable until voting closes.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "amendment_votes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub roll_entry_id: Uuid,
    pub amendment_id: Uuid,
    /// The account that cast it (a representative, for an organization).
    pub cast_by: Uuid,
    pub choice: VoteChoice,
    pub cast_at: DateTimeUtc,
}

/// A voter's choice.
#[derive(
    Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum VoteChoice {
    /// For the amendment.
    Yes,
    /// Against it.
    No,
    /// Counted for quorum, not for the majority.
    Abstain,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
