//! The `ApiToken` and `Integration` GraphQL types. No secret is readable after it was made.

use async_graphql::{Context, ID, Object};
use entity::{api_token, integration, integration_secret};

use crate::{
    auth::ApiScope,
    error::ApiResult,
    ids::{self, NodeKind},
    loaders::{cached_loader, loader},
    organizations::{loader::OrganizationLoader, types::Organization},
    time::DateTime,
    tokens::loader::{IntegrationScopesLoader, IntegrationSecretsLoader, ScopesLoader},
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

/// The integration row, wrapped so that no column becomes API by accident.
#[derive(Clone, Debug)]
pub struct Integration(pub integration::Model);

impl NodeKind for Integration {
    const KIND: &'static str = "Integration";
}

/// A machine client of the foundation or of an organization. It owns its secrets and scopes,
/// and keeps working when the person who made it leaves; an ADMIN, or a representative of its
/// organization, rotates or revokes it.
#[Object]
impl Integration {
    /// The integration's opaque global ID.
    pub async fn id(&self) -> ID {
        ids::id_of::<Self>(self.0.id)
    }

    /// A name to recognise it by.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The organization it belongs to; null for the foundation's own.
    async fn organization(&self, ctx: &Context<'_>) -> ApiResult<Option<Organization>> {
        let Some(id) = self.0.organization_id else {
            return Ok(None);
        };
        Ok(cached_loader::<OrganizationLoader>(ctx)?
            .load_one(id)
            .await?
            .map(Organization))
    }

    /// The global ID of the organization it belongs to; null for the foundation's own.
    async fn organization_id(&self) -> Option<ID> {
        self.0.organization_id.map(ids::id_of::<Organization>)
    }

    /// What it may do.
    async fn scopes(&self, ctx: &Context<'_>) -> ApiResult<Vec<ApiScope>> {
        Ok(loader::<IntegrationScopesLoader>(ctx)?
            .load_one(self.0.id)
            .await?
            .unwrap_or_default())
    }

    /// Its secrets, newest first: the current one (no expiry) and those rotated away, with
    /// when each stops or stopped working. The secrets themselves are never readable.
    async fn secrets(&self, ctx: &Context<'_>) -> ApiResult<Vec<IntegrationSecret>> {
        Ok(loader::<IntegrationSecretsLoader>(ctx)?
            .load_one(self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(IntegrationSecret)
            .collect())
    }

    /// When it was created.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When it was revoked; null while it works.
    async fn revoked_at(&self) -> Option<DateTime> {
        self.0.revoked_at.map(DateTime)
    }
}

/// One of an integration's secrets, described; the secret itself is shown only when made.
pub struct IntegrationSecret(pub integration_secret::Model);

/// An integration's secret: which one it is, and until when it works.
#[Object]
impl IntegrationSecret {
    /// The secret's first characters (`qri_…`), to tell secrets apart; not enough to use it.
    async fn prefix(&self) -> &str {
        &self.0.prefix
    }

    /// When it was made.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When it stops working: null for the current secret, the end of the overlap for one a
    /// rotation replaced.
    async fn expires_at(&self) -> Option<DateTime> {
        self.0.expires_at.map(DateTime)
    }

    /// When it was last used, recorded in the background within about a minute.
    async fn last_used_at(&self) -> Option<DateTime> {
        self.0.last_used_at.map(DateTime)
    }
}

crate::connection!(IntegrationConnection, IntegrationEdge, Integration);
