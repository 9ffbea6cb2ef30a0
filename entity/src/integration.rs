//! `integrations`: machine clients of the foundation or of an organization, which own their
//! secrets and scopes and outlive the person who made them.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "integrations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    /// The organization it belongs to; `None` for the foundation's own.
    pub organization_id: Option<Uuid>,
    /// Who made it, kept for the record only: nothing depends on that account any more.
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub revoked_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::integration_scope::Entity")]
    Scopes,
    #[sea_orm(has_many = "super::integration_secret::Entity")]
    Secrets,
}

impl Related<super::integration_scope::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Scopes.def()
    }
}

impl Related<super::integration_secret::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Secrets.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
