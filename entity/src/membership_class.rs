//! `membership_classes`: Contributor, Mirror and Sponsor.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "membership_classes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: MembershipClassKey,
    pub name: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    /// The weight of a vote; a Sponsor's comes from its tier instead.
    pub vote_weight: i32,
    pub paid: bool,
    /// The role that accepts applicants; `None` when membership follows a sponsorship.
    pub approved_by: Option<crate::account_role::Role>,
    pub organizations_may_hold: bool,
}

/// The key of a membership class; every `class` argument takes it.
#[derive(
    Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum MembershipClassKey {
    /// Any individual connected to the project who acts in good faith. Free.
    Contributor,
    /// Whoever hosts a verified project mirror. Free.
    Mirror,
    /// Whoever financially supports the foundation. Paid, through a sponsorship.
    Sponsor,
}

impl MembershipClassKey {
    /// The stored key, for messages and audit summaries.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Contributor => "CONTRIBUTOR",
            Self::Mirror => "MIRROR",
            Self::Sponsor => "SPONSOR",
        }
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
