//! `log_nodes`: the hash of each complete subtree of the Merkle tree log (level 0: the leaves).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "log_nodes")]
pub struct Model {
    /// The subtree's height: it covers 2^level leaves.
    #[sea_orm(primary_key, auto_increment = false)]
    pub level: i16,
    /// Its position among the subtrees of its level: it starts at leaf `idx · 2^level`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub idx: i64,
    /// The SHA-256 hash, 32 bytes.
    #[sea_orm(column_type = "Blob")]
    pub hash: Vec<u8>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
