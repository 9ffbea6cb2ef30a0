//! Creating and revoking API tokens; creating integrations, rotating their secrets and revoking
//! them.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::Utc;

use std::time::Duration;

use crate::{
    auth::{ApiScope, SessionGuard},
    db::Tx,
    error::{ApiError, ApiResult},
    ids::key_of,
    organizations::types::Organization,
    resolve::{run, run_private},
    services::Services,
    time::DateTime,
    tokens::{
        commands::{self, NewApiToken},
        integrations::{self, MAX_OVERLAP, NewIntegration},
        types::{ApiToken, Integration},
    },
};

/// Input of `createIntegration`.
#[derive(InputObject)]
pub struct CreateIntegrationInput {
    /// A name to recognise the integration by, such as `sponsor-wall` or `ci`.
    pub name: String,
    /// The organization it belongs to (its representatives and ADMINs manage it); leave out for
    /// the foundation's own, which only an ADMIN creates.
    pub organization_id: Option<ID>,
    /// What it may do; at least one. `AUDIT_READ` only for the foundation's own.
    pub scopes: Vec<ApiScope>,
}

/// Input of `rotateIntegrationSecret`.
#[derive(InputObject)]
pub struct RotateIntegrationSecretInput {
    /// The integration whose secret to replace.
    pub integration_id: ID,
    /// How long the secret being replaced keeps working, in seconds, at most 30 days; leave out
    /// for the server's setting (`QUORUM_INTEGRATION_SECRET_OVERLAP_SECS`, a day by default),
    /// or 0 to stop it at once (a leaked secret).
    pub overlap_seconds: Option<i32>,
}

/// Input of `revokeIntegration`.
#[derive(InputObject)]
pub struct RevokeIntegrationInput {
    /// The integration to revoke.
    pub integration_id: ID,
}

/// A new integration and its first secret. The secret is shown this once; only its hash is kept.
#[derive(SimpleObject)]
pub struct CreateIntegrationPayload {
    /// The integration.
    pub integration: Integration,
    /// The secret, starting with `qri_`: send it as `Authorization: Bearer …`. Store it now.
    pub secret: String,
}

/// The integration's new secret, shown this once. The one it replaced works until
/// `previousSecretExpiresAt`.
#[derive(SimpleObject)]
pub struct RotateIntegrationSecretPayload {
    /// The integration.
    pub integration: Integration,
    /// The new secret, starting with `qri_`. Store it now.
    pub secret: String,
    /// When the secret it replaced stops working.
    pub previous_secret_expires_at: DateTime,
}

/// The integration after revocation.
#[derive(SimpleObject)]
pub struct RevokeIntegrationPayload {
    /// The revoked integration.
    pub integration: Integration,
}

#[derive(Default)]
pub struct ApiTokenMutation;

/// Input of `createApiToken`.
#[derive(InputObject)]
pub struct CreateApiTokenInput {
    /// A name to recognise the token by, such as the integration using it.
    pub name: String,
    /// What the token may read; at least one.
    pub scopes: Vec<ApiScope>,
    /// When the token stops working; leave out for never.
    pub expires_at: Option<DateTime>,
}

/// Input of `revokeApiToken`.
#[derive(InputObject)]
pub struct RevokeApiTokenInput {
    /// The token to revoke.
    pub api_token_id: ID,
}

/// A new token. The secret is shown this once; only its hash is kept.
#[derive(SimpleObject)]
pub struct CreateApiTokenPayload {
    /// The secret, starting with `qrm_`: send it as `Authorization: Bearer …`. Store it now.
    pub token: String,
    /// The token's details.
    pub api_token: ApiToken,
}

/// The token after revocation.
#[derive(SimpleObject)]
pub struct RevokeApiTokenPayload {
    /// The revoked token.
    pub api_token: ApiToken,
}

#[Object]
impl ApiTokenMutation {
    /// Creates an API token for a person's own scripts; it reads what its scopes allow while the
    /// person's account exists. For a machine that must outlive its maker, create an integration. Only a logged-in person can, never a token.
    #[graphql(guard = "SessionGuard")]
    async fn create_api_token(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation\'s input.")] input: CreateApiTokenInput,
    ) -> ApiResult<CreateApiTokenPayload> {
        let name = crate::input::name(&input.name, &crate::field!(input.name), 100)?;
        let scopes = input.scopes;
        if scopes.is_empty() {
            return Err(ApiError::bad_input(
                crate::field!(input.scopes),
                "give at least one scope",
            ));
        }
        if let Some(scope) = scopes.iter().find(|scope| {
            !matches!(
                scope,
                ApiScope::SponsorsRead | ApiScope::MembersRead | ApiScope::ElectionsRead
            )
        }) {
            return Err(ApiError::bad_input(
                crate::field!(input.scopes),
                format!(
                    "{} is for integrations (createIntegration); a person's API token reads with SPONSORS_READ, MEMBERS_READ and ELECTIONS_READ",
                    scope.name()
                ),
            ));
        }
        if input.expires_at.is_some_and(|at| at.0 <= Utc::now()) {
            return Err(ApiError::bad_input(
                crate::field!(input.expires_at),
                "The expiry must be in the future.",
            ));
        }
        let new = NewApiToken {
            name,
            scopes,
            expires_at: input.expires_at.map(|at| at.0),
        };
        let (token, row) = run_private(ctx, new, commands::create).await?;
        Ok(CreateApiTokenPayload {
            token,
            api_token: ApiToken(row),
        })
    }

    /// Revokes an API token at once. For the person who created it and administrators.
    #[graphql(guard = "SessionGuard")]
    async fn revoke_api_token(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation\'s input.")] input: RevokeApiTokenInput,
    ) -> ApiResult<RevokeApiTokenPayload> {
        let id = key_of::<ApiToken>(&input.api_token_id, &crate::field!(input.api_token_id))?;
        // Announced: every replica forgets what the credential read as (`PublicCache::credential`).
        let row = run(ctx, id, commands::revoke).await?;
        Ok(RevokeApiTokenPayload {
            api_token: ApiToken(row),
        })
    }

    /// Creates an integration with its first secret: for the foundation (ADMIN only) or for an
    /// organization (an ADMIN or its representatives). Only a logged-in person can, never a
    /// token or an integration.
    #[graphql(guard = "SessionGuard")]
    async fn create_integration(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation\'s input.")] input: CreateIntegrationInput,
    ) -> ApiResult<CreateIntegrationPayload> {
        let name = crate::input::name(&input.name, &crate::field!(input.name), 100)?;
        let organization_id = input
            .organization_id
            .map(|id| key_of::<Organization>(&id, &crate::field!(input.organization_id)))
            .transpose()?;
        let new = NewIntegration {
            name,
            organization_id,
            scopes: input.scopes,
        };
        let (row, issued) = run_private(ctx, new, integrations::create).await?;
        Ok(CreateIntegrationPayload {
            integration: Integration(row),
            secret: issued.secret,
        })
    }

    /// Replaces an integration's secret. The one it replaces keeps working for the overlap, so
    /// that deployments switch without an outage; a secret replaced earlier stops at once.
    #[graphql(guard = "SessionGuard")]
    async fn rotate_integration_secret(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation\'s input.")] input: RotateIntegrationSecretInput,
    ) -> ApiResult<RotateIntegrationSecretPayload> {
        let state = ctx.data::<Services>()?;
        let id =
            key_of::<Integration>(&input.integration_id, &crate::field!(input.integration_id))?;
        let overlap = match input.overlap_seconds {
            None => state.config.integration_secret_overlap,
            Some(seconds) => u64::try_from(seconds)
                .ok()
                .map(Duration::from_secs)
                .filter(|overlap| *overlap <= MAX_OVERLAP)
                .ok_or_else(|| {
                    ApiError::bad_input(
                        crate::field!(input.overlap_seconds),
                        "The overlap must be between 0 and 2592000 seconds (30 days).",
                    )
                })?,
        };
        // Announced: every replica forgets what the credential read as (`PublicCache::credential`).
        let (row, issued, until) = run(ctx, overlap, async |tx: &Tx, viewer, overlap| {
            integrations::rotate_secret(tx, viewer, id, overlap).await
        })
        .await?;
        Ok(RotateIntegrationSecretPayload {
            integration: Integration(row),
            secret: issued.secret,
            previous_secret_expires_at: DateTime(until),
        })
    }

    /// Revokes an integration at once: none of its secrets works from the next request.
    #[graphql(guard = "SessionGuard")]
    async fn revoke_integration(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation\'s input.")] input: RevokeIntegrationInput,
    ) -> ApiResult<RevokeIntegrationPayload> {
        let id =
            key_of::<Integration>(&input.integration_id, &crate::field!(input.integration_id))?;
        // Announced: every replica forgets what the credential read as (`PublicCache::credential`).
        let row = run(ctx, id, integrations::revoke).await?;
        Ok(RevokeIntegrationPayload {
            integration: Integration(row),
        })
    }
}
