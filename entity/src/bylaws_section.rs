//! `bylaws_sections`: a section of one version, with its article.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bylaws_sections")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub version_number: i32,
    /// The section's identity across versions.
    pub section_key: Uuid,
    pub article_number: i32,
    pub article_title: String,
    pub section_number: i32,
    pub heading: String,
    #[sea_orm(column_type = "Text")]
    pub text: String,
    /// Whether it defines a membership class's rights.
    pub defines_membership_rights: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
