//! `audit_events`: the append-only, hash-chained record of every change of state.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_events")]
pub struct Model {
    /// Position in the chain, from 1 without gaps.
    #[sea_orm(primary_key, auto_increment = false)]
    pub seq: i64,
    #[sea_orm(unique)]
    pub id: Uuid,
    pub occurred_at: DateTimeUtc,
    /// `ACCOUNT` or `SYSTEM` (the command line).
    pub actor_kind: String,
    pub actor_id: Option<Uuid>,
    /// What happened, e.g. `role.granted`.
    pub action: String,
    /// The kind of thing it happened to, e.g. `Account`.
    pub subject_kind: String,
    pub subject_id: Uuid,
    /// A JSON object describing the change, stored as the exact text that was hashed.
    #[sea_orm(column_type = "Text")]
    pub summary: String,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
