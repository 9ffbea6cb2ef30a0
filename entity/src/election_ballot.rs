//! `election_ballots`: *what* was voted, anonymously. A random (UUID v4) id, no timestamp, no
//! sequence and no reference to the voter or the roll: only the ranking, the weight class and
//! the hash of the receipt the voter keeps.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "election_ballots")]
pub struct Model {
    /// Random (UUID v4), never time-ordered.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub election_id: Uuid,
    /// The nomination ids ranked, best first, as a JSON array.
    #[sea_orm(column_type = "Text")]
    pub ranking: String,
    /// The class's or tier's weight, before the influence cap.
    pub nominal_weight: i32,
    /// Cast for a paying (Sponsor) membership, so the influence cap applies to its weight.
    pub sponsor: bool,
    /// Lowercase hex SHA-256 of the receipt secret given to the voter.
    #[sea_orm(unique)]
    pub receipt_hash: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
