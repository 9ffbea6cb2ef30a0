//! `mailings`: mail to a whole roll, written with the change that calls for it and fanned out
//! into `email_messages` by the mail workers.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mailings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The message, as JSON.
    #[sea_orm(column_type = "Text")]
    pub mail: String,
    /// Whose roll: an amendment vote's or an election's.
    pub roll_kind: RollKind,
    /// The amendment or election whose frozen roll receives it.
    pub roll_id: Uuid,
    pub created_at: DateTimeUtc,
    /// When its messages were written; none while it waits.
    pub expanded_at: Option<DateTimeUtc>,
}

/// Whose frozen roll a mailing goes to; stored as `amendment` or `election`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum RollKind {
    /// An amendment vote's roll (`voter_roll`).
    #[sea_orm(string_value = "amendment")]
    Amendment,
    /// An election's roll (`election_roll`).
    #[sea_orm(string_value = "election")]
    Election,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
