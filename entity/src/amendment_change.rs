//! `amendment_changes`: the section changes an amendment makes, in order.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "amendment_changes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub amendment_id: Uuid,
    pub ordinal: i32,
    pub operation: ChangeOperation,
    /// The section replaced or deleted.
    pub section_key: Option<Uuid>,
    /// Where an inserted section goes.
    pub article_number: Option<i32>,
    pub position: Option<i32>,
    pub heading: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub text: Option<String>,
    /// Whether the inserted or replaced section defines membership rights; null keeps the mark.
    pub defines_membership_rights: Option<bool>,
}

/// What a change does to a section.
#[derive(
    Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum ChangeOperation {
    /// Adds a section at an article and position.
    Insert,
    /// Replaces a section's text (and heading, if given).
    Replace,
    /// Removes a section.
    Delete,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
