//! `mirrors`: hosts carrying the project's files.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mirrors")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub host_name: String,
    pub http_url: String,
    pub rsync_url: Option<String>,
    pub ftp_url: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub update_frequency_hours: i32,
    /// `account:<uuid>` or `organization:<uuid>`.
    pub owner_key: String,
    pub owner_account_id: Option<Uuid>,
    pub owner_organization_id: Option<Uuid>,
    /// As last recorded; a verified mirror whose re-check is overdue reads as `STALE`.
    pub status: MirrorStatus,
    pub last_verified_at: Option<DateTimeUtc>,
    pub registered_by: Uuid,
    pub created_at: DateTimeUtc,
}

/// Where a mirror stands with the Technology Committee.
#[derive(
    Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum MirrorStatus {
    /// Registered, not yet checked.
    Pending,
    /// Checked and found good, and re-checked within the policy's period.
    Verified,
    /// Checked and refused.
    Rejected,
    /// Once verified, but a re-check failed or is overdue.
    Stale,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
