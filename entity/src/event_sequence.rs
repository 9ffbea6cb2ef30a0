//! `event_sequences`: the last sequence number given to a webhook event about each subject.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "event_sequences")]
pub struct Model {
    /// The account or organization an event is about, or else the amendment or election.
    #[sea_orm(primary_key, auto_increment = false)]
    pub subject_id: Uuid,
    /// The number the last event about the subject carries.
    pub last: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
