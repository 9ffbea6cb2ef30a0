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
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
