//! `audit_checkpoints`: the audit chain's head at a moment, signed with the server's key.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_checkpoints")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The head's sequence number when signed.
    pub seq: i64,
    /// The hash of entry `seq`.
    pub hash: String,
    pub signed_at: DateTimeUtc,
    /// The id of the key that signed, as in the JWKS.
    pub key_id: String,
    /// The Ed25519 signature, base64url, over the message in `api::audit::checkpoint`.
    pub signature: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
