//! Creating and revoking API tokens.

use std::collections::BTreeSet;

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::Utc;
use entity::{api_token, prelude::ApiToken as ApiTokens};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, sea_query::Expr};
use serde_json::json;

use crate::{
    AppState,
    audit::{self, Actor, Entry},
    auth::{ApiScope, SessionGuard, Viewer, secrets, viewer::API_TOKEN_PREFIX},
    db::begin_write,
    error::{ApiError, ApiResult},
    ids::{self, key_of},
    time::DateTime,
    tokens::types::ApiToken,
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
    pub id: ID,
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
        let state = ctx.data::<AppState>()?;
        let me = Viewer::of(ctx).require_account()?;
        let name = crate::input::text(&input.name, "input.name", 100)?;
        let scopes: BTreeSet<&str> = input.scopes.iter().map(|scope| scope.as_str()).collect();
        if scopes.is_empty() {
            return Err(ApiError::bad_input(
                "input.scopes",
                "give at least one scope",
            ));
        }
        let now = Utc::now();
        if input.expires_at.is_some_and(|at| at.0 <= now) {
            return Err(ApiError::bad_input(
                "input.expiresAt",
                "`input.expiresAt` must be in the future",
            ));
        }
        let token = secrets::generate(API_TOKEN_PREFIX);
        let tx = begin_write(&state.db).await?;
        let row = api_token::ActiveModel {
            id: Set(ids::new_key()),
            account_id: Set(me.id),
            name: Set(name),
            prefix: Set(token.chars().take(12).collect()),
            token_hash: Set(secrets::hash(&token)),
            scopes: Set(scopes.iter().copied().collect::<Vec<_>>().join(",")),
            created_at: Set(now),
            expires_at: Set(input.expires_at.map(|at| at.0)),
            last_used_at: Set(None),
            revoked_at: Set(None),
        }
        .insert(&tx)
        .await?;
        audit::record(
            &tx,
            Entry {
                actor: Actor::Account(me.id),
                action: "api_token.created",
                subject_kind: "ApiToken",
                subject_id: row.id,
                summary: json!({ "name": row.name, "scopes": scopes, "expiresAt": row.expires_at }),
            },
        )
        .await?;
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
        let state = ctx.data::<AppState>()?;
        let viewer = Viewer::of(ctx);
        let id = key_of::<ApiToken>(&input.id, "input.id")?;
        let tx = begin_write(&state.db).await?;
        let row = ApiTokens::find_by_id(id)
            .one(&tx)
            .await?
            .filter(|row| viewer.is_self_or_admin(row.account_id))
            .ok_or_else(|| ApiError::not_found("API token"))?;
        let revoked = ApiTokens::update_many()
            .col_expr(api_token::Column::RevokedAt, Expr::value(Utc::now()))
            .filter(api_token::Column::Id.eq(id))
            .filter(api_token::Column::RevokedAt.is_null())
            .exec(&tx)
            .await?;
        if revoked.rows_affected == 0 {
            return Err(ApiError::conflict("the API token is already revoked"));
        }
        audit::record(
            &tx,
            Entry {
                actor: Actor::of(viewer),
                action: "api_token.revoked",
                subject_kind: "ApiToken",
                subject_id: row.id,
                summary: json!({ "name": row.name }),
            },
        )
        .await?;
        let row = ApiTokens::find_by_id(id)
            .one(&tx)
            .await?
            .ok_or_else(|| ApiError::not_found("API token"))?;
        tx.commit().await?;
        Ok(RevokeApiTokenPayload {
            api_token: ApiToken(row),
        })
    }
}
