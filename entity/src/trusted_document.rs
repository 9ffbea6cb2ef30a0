//! `trusted_documents`: the GraphQL operations a named client registered, each under the
//! SHA-256 (lowercase hex) of its text.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "trusted_documents")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The client that registered it, such as `public-site` or `portal`.
    pub client_name: String,
    /// The lowercase hex SHA-256 of `document`.
    pub document_id: String,
    /// The GraphQL document, exactly as registered.
    #[sea_orm(column_type = "Text")]
    pub document: String,
    pub registered_at: DateTimeUtc,
    /// The ADMIN who registered it; none from the command line.
    pub registered_by: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
