//! `sessions`: one log-in's family of refresh tokens, revoked together.

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
