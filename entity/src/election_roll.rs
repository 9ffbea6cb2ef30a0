//! `election_roll`: who may vote in an election, frozen when voting opens, with the weight each
//! ballot carries.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "election_roll")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub election_id: Uuid,
    /// The membership that votes.
    pub membership_id: Uuid,
    /// Who may cast it: `account:<uuid>` or `organization:<uuid>`.
    pub holder_key: String,
    /// The class's or tier's weight, before the influence cap.
    pub nominal_weight: i32,
    /// A paying (Sponsor) membership, subject to the influence cap.
    pub sponsor: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
