//! `log_witness_sizes`: the size of the last checkpoint a witness cosigned, as far as the server
//! knows (its answer to the last request).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "log_witness_sizes")]
pub struct Model {
    /// The witness's verifier key, as configured in `QUORUM_LOG_WITNESSES`.
    #[sea_orm(primary_key, auto_increment = false, column_type = "Text")]
    pub witness: String,
    pub size: i64,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
