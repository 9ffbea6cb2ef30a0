//! `memberships`: one per entity per class.

use sea_orm::entity::prelude::*;

pub use crate::membership_class::MembershipClassKey;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "memberships")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub class_key: MembershipClassKey,
    /// `account:<uuid>` or `organization:<uuid>`; unique with the class.
    pub holder_key: String,
    pub holder_account_id: Option<Uuid>,
    pub holder_organization_id: Option<Uuid>,
    /// The stored state: `ACTIVE`, `GRACE`, `SUSPENDED` or `TERMINATED`. What clients see is
    /// derived from it and the dates (an `ACTIVE` membership past its end reads as `GRACE`, then
    /// `EXPIRED`), so it is right without a background job.
    pub status: MembershipState,
    pub since: Date,
    /// The last day of the current term.
    pub ends_on: Option<Date>,
    /// When a stored `GRACE` began (a Mirror membership that lost its last verified mirror).
    pub grace_from: Option<Date>,
    pub vote_weight: i32,
    pub disclose: bool,
    /// A pending notice.
    pub notice_kind: Option<NoticeKind>,
    #[sea_orm(column_type = "Text", nullable)]
    pub notice_reason: Option<String>,
    pub notice_effective_on: Option<Date>,
    /// The member's answer to the notice: their chance to be heard.
    #[sea_orm(column_type = "Text", nullable)]
    pub notice_response: Option<String>,
    /// Why the membership is suspended or terminated.
    #[sea_orm(column_type = "Text", nullable)]
    pub status_reason: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// The stored state of a membership. Clients see a status derived from it and the dates.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
pub enum MembershipState {
    /// Running through `ends_on` (then grace, then expired, as read).
    Active,
    /// A Mirror membership that lost its last verified mirror, in grace since `grace_from`.
    Grace,
    /// Suspended by the committee.
    Suspended,
    /// Ended by the committee, for good.
    Terminated,
}

/// The kind of notice a committee gives a member.
#[derive(
    Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
#[graphql(name = "MembershipNoticeKind", rename_items = "SCREAMING_SNAKE_CASE")]
pub enum NoticeKind {
    /// The membership will be suspended.
    Suspend,
    /// The membership will be terminated.
    Terminate,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
