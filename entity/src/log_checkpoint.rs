//! `log_checkpoints`: each signed checkpoint of the Merkle tree log.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "log_checkpoints")]
pub struct Model {
    /// How many leaves the tree held.
    #[sea_orm(primary_key, auto_increment = false)]
    pub size: i64,
    /// Its root hash, 32 bytes.
    #[sea_orm(column_type = "Blob")]
    pub root: Vec<u8>,
    /// The C2SP signed note, as served at `/log/checkpoint`.
    #[sea_orm(column_type = "Text")]
    pub note: String,
    pub signed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
