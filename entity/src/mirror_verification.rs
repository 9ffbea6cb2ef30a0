//! `mirror_verifications`: each check of a mirror.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mirror_verifications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub mirror_id: Uuid,
    pub checked_by: Uuid,
    pub checked_at: DateTimeUtc,
    pub outcome: VerificationOutcome,
    #[sea_orm(column_type = "Text")]
    pub notes: String,
}

/// The outcome of one check.
#[derive(
    Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum VerificationOutcome {
    /// The mirror serves current files.
    Verified,
    /// The mirror failed the check.
    Rejected,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
