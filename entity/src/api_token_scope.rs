//! `api_token_scopes`: what an API token may read, one row per scope, so that the set is typed
//! and its rows are the same on SQLite and PostgreSQL.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_token_scopes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub api_token_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub scope: ApiScope,
}

/// What an API token or an integration may do: only what its scopes name. A person's API token
/// takes the read scopes `SPONSORS_READ`, `MEMBERS_READ` and `ELECTIONS_READ`; `WEBHOOKS_MANAGE` and
/// `AUDIT_READ` are for integrations.
#[derive(
    Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum ApiScope {
    /// Read the public sponsor list and sponsor activity.
    SponsorsRead,
    /// Read the public member directory.
    MembersRead,
    /// Read board elections as the public sees them: their nominees, turnout and results.
    ElectionsRead,
    /// Manage the owner's webhook endpoints (an integration only): list them and their
    /// deliveries, rotate their secrets, redeliver, delete.
    WebhooksManage,
    /// Read the whole audit log (an integration of the foundation only, made by an ADMIN).
    AuditRead,
}

impl ApiScope {
    /// The stored name, such as `SPONSORS_READ`.
    pub fn name(self) -> String {
        self.to_value()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::api_token::Entity",
        from = "Column::ApiTokenId",
        to = "super::api_token::Column::Id"
    )]
    ApiToken,
}

impl Related<super::api_token::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ApiToken.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
