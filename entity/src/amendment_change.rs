//! `amendment_changes`: the section changes an amendment makes, in order.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "amendment_changes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub amendment_id: Uuid,
    pub ordinal: i32,
    /// `INSERT`, `REPLACE` or `DELETE`.
    pub operation: String,
    /// The section replaced or deleted.
    pub section_key: Option<Uuid>,
    /// Where an inserted section goes.
    pub article_number: Option<i32>,
    pub position: Option<i32>,
    pub heading: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub text: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
