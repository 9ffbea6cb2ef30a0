//! `applications`: requests to join a membership class.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "applications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub class_key: String,
    /// The account that submitted it.
    pub applicant_id: Uuid,
    /// `account:<uuid>` or `organization:<uuid>`: who would hold the membership.
    pub holder_key: String,
    pub holder_account_id: Option<Uuid>,
    pub holder_organization_id: Option<Uuid>,
    #[sea_orm(column_type = "Text")]
    pub statement: String,
    pub disclose: bool,
    /// `SUBMITTED`, `APPROVED`, `REJECTED` or `WITHDRAWN`.
    pub status: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub decision_reason: Option<String>,
    pub decided_by: Option<Uuid>,
    pub submitted_at: DateTimeUtc,
    pub decided_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
