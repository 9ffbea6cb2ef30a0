//! `representative_invitations`: an invitation to act for an organization, which changes nothing
//! until the invited account accepts it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "representative_invitations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    /// The invited account.
    pub account_id: Uuid,
    /// The representative or administrator who invited them; none when the operator did.
    pub invited_by: Option<Uuid>,
    pub status: InvitationStatus,
    pub created_at: DateTimeUtc,
    /// When it was accepted, declined or cancelled.
    pub responded_at: Option<DateTimeUtc>,
}

/// Where an invitation stands.
#[derive(
    Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum InvitationStatus {
    /// Waiting for the invited person's answer. It has no effect yet.
    Pending,
    /// Accepted: the person represents the organization.
    Accepted,
    /// Declined by the invited person.
    Declined,
    /// Withdrawn by the organization before an answer.
    Cancelled,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
