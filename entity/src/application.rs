//! `applications`: requests to join a membership class.

use sea_orm::entity::prelude::*;

pub use crate::membership_class::MembershipClassKey;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "applications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub class_key: MembershipClassKey,
    /// The account that submitted it.
    pub applicant_id: Uuid,
    /// `account:<uuid>` or `organization:<uuid>`: who would hold the membership.
    pub holder_key: String,
    pub holder_account_id: Option<Uuid>,
    pub holder_organization_id: Option<Uuid>,
    #[sea_orm(column_type = "Text")]
    pub statement: String,
    pub disclose: bool,
    pub status: ApplicationStatus,
    #[sea_orm(column_type = "Text", nullable)]
    pub decision_reason: Option<String>,
    pub decided_by: Option<Uuid>,
    pub submitted_at: DateTimeUtc,
    pub decided_at: Option<DateTimeUtc>,
}

/// Where an application stands.
#[derive(
    Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum ApplicationStatus {
    /// Waiting for the committee.
    Submitted,
    /// Accepted: the membership is created or renewed.
    Approved,
    /// Refused, with a reason.
    Rejected,
    /// Taken back by the applicant.
    Withdrawn,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
