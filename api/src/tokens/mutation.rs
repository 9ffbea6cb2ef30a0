//! Creating and revoking API tokens.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::Utc;

use crate::{
    auth::{ApiScope, SessionGuard, Viewer},
    db::begin_private_write,
    error::{ApiError, ApiResult},
    ids::key_of,
    services::Services,
    time::DateTime,
    tokens::{
        commands::{self, NewApiToken},
        types::ApiToken,
    },
};

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
    /// Creates an API token for an integration. Only a logged-in person can, never a token.
    #[graphql(guard = "SessionGuard")]
    async fn create_api_token(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation\'s input.")] input: CreateApiTokenInput,
    ) -> ApiResult<CreateApiTokenPayload> {
        let state = ctx.data::<Services>()?;
        let name = crate::input::name(&input.name, &crate::field!(input.name), 100)?;
        let scopes = input.scopes;
        if scopes.is_empty() {
            return Err(ApiError::bad_input(
                crate::field!(input.scopes),
                "give at least one scope",
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
        let tx = begin_private_write(&state.db).await?;
        let (token, row) = commands::create(&tx, Viewer::of(ctx), new).await?;
        tx.commit().await?;
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
        let state = ctx.data::<Services>()?;
        let id = key_of::<ApiToken>(&input.api_token_id, &crate::field!(input.api_token_id))?;
        let tx = begin_private_write(&state.db).await?;
        let row = commands::revoke(&tx, Viewer::of(ctx), id).await?;
        tx.commit().await?;
        Ok(RevokeApiTokenPayload {
            api_token: ApiToken(row),
        })
    }
}
