//! `idempotency_keys`: the result of a money mutation by the client's key, so a retry returns it
//! instead of recording the money again.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "idempotency_keys")]
pub struct Model {
    /// The mutation, e.g. `recordContribution`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub scope: IdempotencyScope,
    /// The client's key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    /// SHA-256 (hex) of the canonical input the key was first used with.
    pub request_hash: String,
    /// The row the first call recorded.
    pub result_id: Uuid,
    pub created_at: DateTimeUtc,
}

/// The mutation a key was used with; stored by its GraphQL name.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum IdempotencyScope {
    /// `recordContribution`.
    #[sea_orm(string_value = "recordContribution")]
    RecordContribution,
    /// `recordSponsorship`.
    #[sea_orm(string_value = "recordSponsorship")]
    RecordSponsorship,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
