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
    pub status: AmendmentStatus,
    /// Set by the secretary: such an amendment must go to the members.
    pub affects_membership_rights: bool,
    /// Set once voting opens.
    pub vote_body: Option<VoteBody>,
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

/// Where an amendment stands.
#[derive(
    Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum AmendmentStatus {
    /// Being written by its proposer.
    Draft,
    /// Submitted: in discussion during the notice period.
    Proposed,
    /// Open for votes until it closes.
    Voting,
    /// Passed: a new bylaws version holds it.
    Adopted,
    /// Did not pass.
    Rejected,
    /// Taken back by its proposer before voting.
    Withdrawn,
}

/// The voting body.
#[derive(
    Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum VoteBody {
    /// The directors in office, one vote each, by super-majority.
    Board,
    /// The members in good standing, by weight, after the influence cap.
    Members,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
