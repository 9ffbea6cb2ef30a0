//! `memberships`: one per entity per class.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "memberships")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub class_key: String,
    /// `account:<uuid>` or `organization:<uuid>`; unique with the class.
    pub holder_key: String,
    pub holder_account_id: Option<Uuid>,
    pub holder_organization_id: Option<Uuid>,
    /// The stored state: `ACTIVE`, `GRACE`, `SUSPENDED` or `TERMINATED`. What clients see is
    /// derived from it and the dates (an `ACTIVE` membership past its end reads as `GRACE`, then
    /// `EXPIRED`), so it is right without a background job.
    pub status: String,
    pub since: Date,
    /// The last day of the current term.
    pub ends_on: Option<Date>,
    /// When a stored `GRACE` began (a Mirror membership that lost its last verified mirror).
    pub grace_from: Option<Date>,
    pub vote_weight: i32,
    pub disclose: bool,
    /// A pending `SUSPEND` or `TERMINATE` notice.
    pub notice_kind: Option<String>,
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

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
