//! `governance_policy`: the one row of numbers the foundation's rules use.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "governance_policy")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i32,
    pub amendment_notice_days: i32,
    pub minimum_voting_days: i32,
    pub member_quorum_share: f64,
    pub member_quorum_weight_share: f64,
    pub board_super_majority: f64,
    pub sponsor_influence_cap: f64,
    pub grace_period_days: i32,
    pub contributor_term_months: i32,
    pub mirror_recheck_months: i32,
    pub suspension_notice_days: i32,
    /// The fewest directors the board may have.
    pub board_minimum_size: i32,
    /// The most directors the board may have.
    pub board_maximum_size: i32,
    /// Directors the board needs per Platinum sponsor, at least.
    pub board_per_platinum_sponsor: i32,
    /// Years of a director's term.
    pub director_term_years: i32,
    /// Consecutive terms a director may serve before sitting out.
    pub max_consecutive_terms: i32,
    /// Years a director who reached the term limit sits out.
    pub term_limit_break_years: i32,
    /// Months a nominee must have been a member in good standing.
    pub nominee_standing_months: i32,
    /// Days before voting opens that the nominee list closes.
    pub nominee_list_closes_days_before: i32,
    /// The shortest an election's voting may last, in days.
    pub minimum_election_days: i32,
    /// Turnout (a share of the roll) below which voting is extended at the planned close; 0 is
    /// off.
    pub election_turnout_threshold: f64,
    /// Days each turnout extension adds.
    pub election_turnout_extension_days: i32,
    /// The most times voting is extended for turnout.
    pub election_turnout_max_extensions: i32,
    /// Days after someone stops representing an organization during which its cases are still
    /// their own.
    pub own_case_look_back_days: i32,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
