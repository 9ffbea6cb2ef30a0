//! The API token aggregate's changes of state: creating and revoking integration tokens.

use crate::audit::{AuditAction, SubjectKind};
use crate::db::Tx;
use std::collections::{BTreeSet, HashSet};

use chrono::{DateTime, Utc};
use entity::{
    api_token, api_token_scope,
    prelude::{ApiToken as ApiTokens, ApiTokenScope as ApiTokenScopes},
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QuerySelect, Set, sea_query::Expr,
};
use serde_json::json;
use uuid::Uuid;

use crate::{
    audit::{self, Actor, Entry},
    auth::{ApiScope, Viewer, secrets, viewer::API_TOKEN_PREFIX},
    error::{ApiError, ApiResult, corrupt_row},
    ids,
};

/// What `create` needs, already parsed: a name, at least one scope, an expiry in the future.
pub struct NewApiToken {
    pub name: String,
    pub scopes: Vec<ApiScope>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// Creates a token for the viewer. Returns the secret, shown this once, and the stored row,
/// which keeps only its hash.
#[tracing::instrument(skip_all)]
pub async fn create(
    tx: &Tx,
    viewer: &Viewer,
    input: NewApiToken,
) -> ApiResult<(String, api_token::Model)> {
    let me = viewer.require_account()?;
    let token = secrets::generate(API_TOKEN_PREFIX);
    // Each scope once, in the order the audit entry lists them.
    let scopes: BTreeSet<String> = input.scopes.iter().map(|scope| scope.name()).collect();
    let row = api_token::ActiveModel {
        id: Set(ids::new_key()),
        account_id: Set(me.id),
        name: Set(input.name),
        prefix: Set(token.chars().take(12).collect()),
        token_hash: Set(secrets::hash(&token)),
        created_at: Set(Utc::now()),
        expires_at: Set(input.expires_at),
        last_used_at: Set(None),
        revoked_at: Set(None),
    }
    .insert(tx)
    .await?;
    let granted: HashSet<ApiScope> = input.scopes.iter().copied().collect();
    if !granted.is_empty() {
        ApiTokenScopes::insert_many(granted.into_iter().map(|scope| {
            api_token_scope::ActiveModel {
                api_token_id: Set(row.id),
                scope: Set(scope),
            }
        }))
        .exec_without_returning(tx)
        .await?;
    }
    audit::record(
        tx,
        Entry {
            actor: Actor::Account(me.id),
            action: AuditAction::ApiTokenCreated,
            subject_kind: SubjectKind::ApiToken,
            subject_id: row.id,
            summary: json!({ "name": row.name, "scopes": scopes, "expiresAt": row.expires_at }),
        },
    )
    .await?;
    Ok((token, row))
}

/// Revokes a token at once. For the person who created it and administrators; anyone else is
/// told it does not exist.
#[tracing::instrument(skip_all, fields(api_token = %id))]
pub async fn revoke(tx: &Tx, viewer: &Viewer, id: Uuid) -> ApiResult<api_token::Model> {
    let row = ApiTokens::find_by_id(id)
        .lock_exclusive()
        .one(tx)
        .await
        .map_err(corrupt_row("api_tokens", id))?
        .filter(|row| viewer.is_self_or_admin(row.account_id))
        .ok_or_else(|| ApiError::not_found("API token"))?;
    let revoked = ApiTokens::update_many()
        .col_expr(api_token::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(api_token::Column::Id.eq(id))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(tx)
        .await?;
    if revoked.rows_affected == 0 {
        return Err(ApiError::conflict("the API token is already revoked"));
    }
    audit::record(
        tx,
        Entry {
            actor: Actor::of(viewer),
            action: AuditAction::ApiTokenRevoked,
            subject_kind: SubjectKind::ApiToken,
            subject_id: row.id,
            summary: json!({ "name": row.name }),
        },
    )
    .await?;
    ApiTokens::find_by_id(id)
        .one(tx)
        .await
        .map_err(corrupt_row("api_tokens", id))?
        .ok_or_else(|| ApiError::not_found("API token"))
}
