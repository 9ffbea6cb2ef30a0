//! `log_cosignatures`: a witness's cosignature line of a signed checkpoint.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "log_cosignatures")]
pub struct Model {
    /// The checkpoint's tree size (`log_checkpoints.size`).
    #[sea_orm(primary_key, auto_increment = false)]
    pub size: i64,
    /// The witness's verifier key, as configured in `QUORUM_LOG_WITNESSES`.
    #[sea_orm(primary_key, auto_increment = false, column_type = "Text")]
    pub witness: String,
    /// The signed-note line, `— <witness name> <base64(key id ‖ time ‖ signature)>\n`.
    #[sea_orm(column_type = "Text")]
    pub line: String,
    pub cosigned_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
