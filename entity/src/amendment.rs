//! `amendments`: proposals to change the bylaws.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "amendments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub rationale: String,
    pub proposer_id: Uuid,
    /// The version it changes.
    pub base_version: i32,
    /// `DRAFT`, `PROPOSED`, `VOTING`, `ADOPTED`, `REJECTED` or `WITHDRAWN`.
    pub status: String,
    /// Set by the secretary: such an amendment must go to the members.
    pub affects_membership_rights: bool,
    /// `MEMBERS` or `BOARD`, once voting opens.
    pub vote_body: Option<String>,
    pub submitted_at: Option<DateTimeUtc>,
    pub voting_opened_at: Option<DateTimeUtc>,
    pub closes_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    /// The policy numbers frozen when voting opened, as JSON: the tally uses them.
    #[sea_orm(column_type = "Text", nullable)]
    pub vote_rules: Option<String>,
    /// The recorded tally, as JSON.
    #[sea_orm(column_type = "Text", nullable)]
    pub tally: Option<String>,
    pub adopted_version: Option<i32>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
