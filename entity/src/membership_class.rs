//! `membership_classes`: Contributor, Mirror and Sponsor.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "membership_classes")]
pub struct Model {
    /// `CONTRIBUTOR`, `MIRROR` or `SPONSOR`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    pub name: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    /// The weight of a vote; a Sponsor's comes from its tier instead.
    pub vote_weight: i32,
    pub paid: bool,
    /// The role that accepts applicants; `None` when membership follows a sponsorship.
    pub approved_by: Option<String>,
    pub organizations_may_hold: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
