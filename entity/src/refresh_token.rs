//! `refresh_tokens`: stored as a SHA-256 hash only; used once, then rotated.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "refresh_tokens")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub session_id: Uuid,
    #[sea_orm(unique)]
    pub token_hash: String,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    /// Set when the token was exchanged; a second use after the grace window revokes the
    /// session.
    pub used_at: Option<DateTimeUtc>,
    /// The pair this token's use issued, sealed with the server's key, answered again to a
    /// second use within the grace window; cleared once the window has passed.
    pub sealed_successor: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
