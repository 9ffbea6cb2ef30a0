//! `nominations`: a person nominated in an election, and their answer.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "nominations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub election_id: Uuid,
    pub nominee_account_id: Uuid,
    pub nominated_by: Uuid,
    /// Why the nominator nominates.
    #[sea_orm(column_type = "Text", nullable)]
    pub statement: Option<String>,
    pub response: NominationResponse,
    /// The nominee's own statement, given when answering.
    #[sea_orm(column_type = "Text", nullable)]
    pub nominee_statement: Option<String>,
    /// The organization the nominee works for or represents, declared on accepting.
    pub organization_id: Option<Uuid>,
    pub responded_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text", nullable)]
    pub disqualified_reason: Option<String>,
    pub disqualified_at: Option<DateTimeUtc>,
    pub disqualified_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

/// The nominee's answer to a nomination.
#[derive(
    Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum NominationResponse {
    /// The nominee has not answered yet.
    Pending,
    /// The nominee agreed to stand.
    Accepted,
    /// The nominee declined.
    Declined,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
