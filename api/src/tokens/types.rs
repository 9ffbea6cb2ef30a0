//! The `ApiToken` GraphQL type. The secret itself is never readable after creation.

use async_graphql::{Context, ID, Object};
use entity::api_token;

use crate::{
    auth::ApiScope,
    error::ApiResult,
    ids::{self, NodeKind},
    loaders::loader,
    time::DateTime,
    tokens::loader::ScopesLoader,
};

/// The token row, wrapped so that no column (above all the hash) becomes API by accident.
#[derive(Clone, Debug)]
pub struct ApiToken(pub api_token::Model);

impl NodeKind for ApiToken {
    const KIND: &'static str = "ApiToken";
}

/// A credential for an integration. It can only read, and only what its scopes allow.
#[Object]
impl ApiToken {
    /// The token's opaque global ID.
    pub async fn id(&self) -> ID {
        ids::id_of::<Self>(self.0.id)
    }

    /// A name to recognise it by.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The token's first characters, to tell tokens apart; not enough to use it.
    async fn prefix(&self) -> &str {
        &self.0.prefix
    }

    /// What the token may read.
    async fn scopes(&self, ctx: &Context<'_>) -> ApiResult<Vec<ApiScope>> {
        Ok(loader::<ScopesLoader>(ctx)?
            .load_one(self.0.id)
            .await?
            .unwrap_or_default())
    }

    /// When the token was created.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When the token stops working; null for never.
    async fn expires_at(&self) -> Option<DateTime> {
        self.0.expires_at.map(DateTime)
    }

    /// When the token was last used, recorded in the background within about a minute.
    async fn last_used_at(&self) -> Option<DateTime> {
        self.0.last_used_at.map(DateTime)
    }

    /// When the token was revoked; null while it works.
    async fn revoked_at(&self) -> Option<DateTime> {
        self.0.revoked_at.map(DateTime)
    }
}

crate::connection!(ApiTokenConnection, ApiTokenEdge, ApiToken);
