//! `directorships`: the board of record, one row per seat held by a person for a term.

use sea_orm::{Condition, entity::prelude::*};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "directorships")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The director.
    pub account_id: Uuid,
    pub kind: SeatKind,
    /// The first day in office.
    pub term_starts_on: Date,
    /// The first day no longer in office.
    pub term_ends_on: Date,
    /// The organization the director works for or represents, if any.
    pub organization_id: Option<Uuid>,
    /// The election that seated the director; `None` for a seat carried over from a `BOARD`
    /// role grant when directorships were introduced.
    pub election_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

/// A board seat's kind. General seats are elected by every member in good standing; the one
/// Community Director seat by the non-paying classes only.
#[derive(
    Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum SeatKind {
    /// A general seat, elected by every member in good standing with class weights.
    General,
    /// The Community Director seat, elected by Contributor and Mirror members, one vote each.
    Community,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// The directorships in office on `day`: started on or before it, ending after it.
pub fn in_office_on(day: Date) -> Condition {
    Condition::all()
        .add(Column::TermStartsOn.lte(day))
        .add(Column::TermEndsOn.gt(day))
}
