//! `election_voters`: *who* voted in an election (a roll entry, and when). Kept apart from
//! `election_ballots` (*what* was voted); nothing stored links a row here to a ballot.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "election_voters")]
pub struct Model {
    /// One ballot per roll entry: the key makes a second one impossible.
    #[sea_orm(primary_key, auto_increment = false)]
    pub roll_entry_id: Uuid,
    pub election_id: Uuid,
    /// The account that cast it (an organization's representative, or the member).
    pub cast_by: Uuid,
    pub voted_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
