//! `elections`: a board election, from its draft to its certified result.

use sea_orm::entity::prelude::*;

pub use crate::directorship::SeatKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "elections")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(column_type = "Text")]
    pub title: String,
    pub kind: SeatKind,
    pub seats: i32,
    pub state: ElectionState,
    /// Nominees must accept before this.
    pub nominations_close_at: DateTimeUtc,
    /// Voting opens no earlier than this.
    pub voting_opens_at: DateTimeUtc,
    /// The planned close; a turnout extension moves it.
    pub voting_closes_at: DateTimeUtc,
    /// How many times voting was extended for low turnout.
    pub extensions: i32,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub nominations_opened_at: Option<DateTimeUtc>,
    pub voting_opened_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    pub certified_at: Option<DateTimeUtc>,
    pub cancelled_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text", nullable)]
    pub cancel_reason: Option<String>,
    /// The rules frozen when voting opened (JSON): term length, influence cap, turnout
    /// extension.
    #[sea_orm(column_type = "Text", nullable)]
    pub rules: Option<String>,
    /// The count, stored when the election closed (JSON).
    #[sea_orm(column_type = "Text", nullable)]
    pub result: Option<String>,
    pub updated_at: DateTimeUtc,
}

/// Where an election is in its life.
#[derive(
    Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum ElectionState {
    /// Created; nominations not yet open.
    Draft,
    /// Members nominate, and nominees accept or decline.
    Nominating,
    /// The roll and the nominee list are frozen; members cast ballots.
    Voting,
    /// Counted; the result waits for certification.
    Closed,
    /// The committee certified the result; the winners hold their seats.
    Certified,
    /// Cancelled before the close, with a reason.
    Cancelled,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
