//! Database work for accounts and sessions.

use chrono::{Duration, Utc};
use entity::{refresh_token, session};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use uuid::Uuid;

use crate::{
    auth::{access, keys::SigningKeys, secrets},
    error::ApiResult,
    ids,
};

/// How long a refresh token may wait to be used.
pub const REFRESH_LIFETIME: Duration = Duration::days(30);
/// Refresh tokens carry a prefix of their own, distinct from API tokens.
const REFRESH_PREFIX: &str = "qrr_";

/// A fresh pair of tokens.
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: String,
}

/// Starts a session for `account_id` and returns its first tokens.
pub async fn start_session(
    db: &impl ConnectionTrait,
    keys: &SigningKeys,
    account_id: Uuid,
) -> ApiResult<Tokens> {
    let session_id = ids::new_key();
    session::ActiveModel {
        id: Set(session_id),
        account_id: Set(account_id),
        created_at: Set(Utc::now()),
        revoked_at: Set(None),
        revoked_reason: Set(None),
    }
    .insert(db)
    .await?;
    issue_tokens(db, keys, account_id, session_id).await
}

/// Issues an access token and a new refresh token in an existing session.
pub async fn issue_tokens(
    db: &impl ConnectionTrait,
    keys: &SigningKeys,
    account_id: Uuid,
    session_id: Uuid,
) -> ApiResult<Tokens> {
    let refresh_token = secrets::generate(REFRESH_PREFIX);
    let now = Utc::now();
    refresh_token::ActiveModel {
        id: Set(ids::new_key()),
        session_id: Set(session_id),
        token_hash: Set(secrets::hash(&refresh_token)),
        created_at: Set(now),
        expires_at: Set(now + REFRESH_LIFETIME),
        used_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(Tokens {
        access_token: access::issue(keys, account_id, session_id)?,
        refresh_token,
    })
}

/// The account with this normalized email.
pub async fn find_by_email(
    db: &impl ConnectionTrait,
    email: &str,
) -> ApiResult<Option<entity::account::Model>> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    Ok(entity::prelude::Account::find()
        .filter(entity::account::Column::Email.eq(email))
        .one(db)
        .await?)
}

/// The account `id`, or `NOT_FOUND`.
pub async fn find_account(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> ApiResult<entity::account::Model> {
    use sea_orm::EntityTrait;
    entity::prelude::Account::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| crate::error::ApiError::not_found("account"))
}

/// Grants `role` to an account, audited. A role already held is `CONFLICT`.
pub async fn grant_role(
    tx: &sea_orm::DatabaseTransaction,
    actor: crate::audit::Actor,
    account_id: Uuid,
    role: crate::auth::Role,
) -> ApiResult<()> {
    use crate::error::{ApiError, on_unique_violation};
    let granted_by = match actor {
        crate::audit::Actor::Account(id) => Some(id),
        crate::audit::Actor::System => None,
    };
    entity::account_role::ActiveModel {
        account_id: Set(account_id),
        role: Set(role.as_str().to_owned()),
        granted_at: Set(Utc::now()),
        granted_by: Set(granted_by),
    }
    .insert(tx)
    .await
    .map_err(|err| {
        on_unique_violation(err, || {
            ApiError::conflict(format!("the account already holds {}", role.as_str()))
        })
    })?;
    crate::audit::record(
        tx,
        crate::audit::Entry {
            actor,
            action: "role.granted",
            subject_kind: "Account",
            subject_id: account_id,
            summary: serde_json::json!({ "role": role.as_str() }),
        },
    )
    .await
}
