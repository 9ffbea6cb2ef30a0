//! `voter_roll`: who may vote on an amendment, frozen when voting opens.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "voter_roll")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub amendment_id: Uuid,
    /// For a members' vote: the membership that votes.
    pub membership_id: Option<Uuid>,
    /// For a board vote: the director.
    pub account_id: Option<Uuid>,
    /// Who may cast it: `account:<uuid>` or `organization:<uuid>`.
    pub holder_key: String,
    pub nominal_weight: i32,
    /// A paying (Sponsor) membership, subject to the influence cap.
    pub sponsor: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
