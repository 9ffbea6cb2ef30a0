//! `sessions`: one log-in, carried by a family of refresh tokens revoked together, or by a
//! cookie.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sessions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    pub created_at: DateTimeUtc,
    pub revoked_at: Option<DateTimeUtc>,
    /// Why the session ended.
    pub revoked_reason: Option<SessionEnd>,
    /// A cookie session's credential, as its SHA-256 in hex; null for a session of tokens.
    #[sea_orm(unique)]
    pub cookie_hash: Option<String>,
    /// When a cookie session ends by itself; null for a session of tokens, whose refresh
    /// tokens carry their own expiry.
    pub cookie_expires_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Why a session ended.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
pub enum SessionEnd {
    /// The person logged out.
    LoggedOut,
    /// A used refresh token came back: the session is presumed stolen.
    RefreshReused,
    /// The account's password changed in another session.
    PasswordChanged,
    /// The person logged out everywhere.
    LoggedOutEverywhere,
}
