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
    /// `YES`, `NO` or `ABSTAIN`.
    pub choice: String,
    pub cast_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
