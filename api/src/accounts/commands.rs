//! The account aggregate's changes of state: signing up, sessions and their tokens, role grants.

use crate::audit::{AuditAction, SubjectKind};
use crate::db::Tx;
use chrono::{Duration, Utc};
use entity::{
    account, account_role,
    prelude::{AccountRole, RefreshToken, Session},
    refresh_token, session,
    session::SessionEnd,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QuerySelect, Set, sea_query::Expr,
};
use serde_json::json;
use uuid::Uuid;

use crate::{
    accounts::{db::find_account, input::Email},
    audit::{self, Actor, Entry},
    auth::{Role, Viewer, access, keys::SigningKeys, secrets},
    error::{ApiError, ApiResult, on_unique_violation},
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

/// What `sign_up` needs, already parsed.
pub struct SignUp {
    pub email: Email,
    pub display_name: String,
    pub password_hash: String,
}

/// Creates an account and starts its first session. A taken email is `CONFLICT`.
#[tracing::instrument(skip_all)]
pub async fn sign_up(
    tx: &Tx,
    keys: &SigningKeys,
    input: SignUp,
) -> ApiResult<(account::Model, Tokens)> {
    let account = create_account(tx, None, input).await?;
    let tokens = start_session(tx, keys, account.id).await?;
    Ok((account, tokens))
}

/// Creates an account, audited as made by the person themselves, or by `by` (the operator
/// loading demo data, say). A taken email is `CONFLICT`.
#[tracing::instrument(skip_all)]
pub async fn create_account(
    tx: &Tx,
    by: Option<Actor>,
    input: SignUp,
) -> ApiResult<account::Model> {
    let now = Utc::now();
    let account = account::ActiveModel {
        id: Set(ids::new_key()),
        email: Set(input.email.into_inner()),
        display_name: Set(input.display_name),
        password_hash: Set(input.password_hash),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(tx)
    .await
    .map_err(|err| {
        on_unique_violation(err, || {
            ApiError::conflict("an account with this email already exists")
        })
    })?;
    audit::record(
        tx,
        Entry {
            actor: by.unwrap_or(Actor::Account(account.id)),
            action: AuditAction::AccountCreated,
            subject_kind: SubjectKind::Account,
            subject_id: account.id,
            summary: json!({ "displayName": account.display_name }),
        },
    )
    .await?;
    Ok(account)
}

/// Starts a session for `account_id` and returns its first tokens.
#[tracing::instrument(skip_all, fields(account = %account_id))]
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

/// The outcome of presenting a refresh token.
pub enum Refreshed {
    /// The token was live: new tokens in the same session.
    Rotated(Tokens),
    /// The token had been used before: the session is now ended (commit this), and the caller
    /// must refuse.
    Reused,
}

/// Uses up a refresh token and issues new tokens. A token presented twice ends its session.
#[tracing::instrument(skip_all)]
pub async fn refresh_session(
    tx: &Tx,
    keys: &SigningKeys,
    refresh_token: &str,
) -> ApiResult<Refreshed> {
    let invalid = || ApiError::unauthenticated("the refresh token is invalid or expired");
    let token = RefreshToken::find()
        .filter(refresh_token::Column::TokenHash.eq(secrets::hash(refresh_token)))
        .one(tx)
        .await?
        .ok_or_else(invalid)?;
    let session = Session::find_by_id(token.session_id)
        .one(tx)
        .await?
        .ok_or_else(invalid)?;
    if session.revoked_at.is_some() || token.expires_at <= Utc::now() {
        return Err(invalid());
    }
    let claimed = RefreshToken::update_many()
        .col_expr(refresh_token::Column::UsedAt, Expr::value(Utc::now()))
        .filter(refresh_token::Column::Id.eq(token.id))
        .filter(refresh_token::Column::UsedAt.is_null())
        .exec(tx)
        .await?;
    if claimed.rows_affected == 0 {
        end_session(tx, session.id, SessionEnd::RefreshReused).await?;
        tracing::warn!(session = %session.id, "a used refresh token was presented again; session revoked");
        return Ok(Refreshed::Reused);
    }
    let tokens = issue_tokens(tx, keys, session.account_id, session.id).await?;
    Ok(Refreshed::Rotated(tokens))
}

/// Ends the session a refresh token belongs to; its access tokens stop working at once.
#[tracing::instrument(skip_all)]
pub async fn log_out(tx: &Tx, refresh_token: &str) -> ApiResult<()> {
    let token = RefreshToken::find()
        .filter(refresh_token::Column::TokenHash.eq(secrets::hash(refresh_token)))
        .one(tx)
        .await?
        .ok_or_else(|| ApiError::unauthenticated("the refresh token is invalid"))?;
    end_session(tx, token.session_id, SessionEnd::LoggedOut).await
}

/// Ends a session; already-ended sessions stay as they were.
async fn end_session(
    tx: &impl ConnectionTrait,
    session_id: Uuid,
    reason: SessionEnd,
) -> ApiResult<()> {
    Session::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(Utc::now()))
        .col_expr(session::Column::RevokedReason, Expr::value(reason))
        .filter(session::Column::Id.eq(session_id))
        .filter(session::Column::RevokedAt.is_null())
        .exec(tx)
        .await?;
    Ok(())
}

/// `BOARD` is never granted or revoked by hand: it follows the directorships in office, which
/// only a certified election (or the operator seating a director) creates.
fn refuse_board(role: Role) -> ApiResult<()> {
    if role == Role::Board {
        return Err(ApiError::bad_input(
            crate::field!(input.role),
            "BOARD follows the directorships in office and cannot be granted or revoked; directors are seated by certifying an election",
        ));
    }
    Ok(())
}

/// Grants `role` to an account, audited. A role already held is `CONFLICT`. The actor is the
/// viewer's account, or the operator (`Actor::System`) from the command line.
#[tracing::instrument(skip_all, fields(account = %account_id, role = role.as_str()))]
pub async fn grant_role(
    tx: &Tx,
    actor: Actor,
    account_id: Uuid,
    role: Role,
) -> ApiResult<account::Model> {
    refuse_board(role)?;
    let account = find_account(tx, account_id).await?;
    let granted_by = match actor {
        Actor::Account(id) => Some(id),
        Actor::System => None,
    };
    account_role::ActiveModel {
        account_id: Set(account_id),
        role: Set(role),
        granted_at: Set(Utc::now()),
        granted_by: Set(granted_by),
    }
    .insert(tx)
    .await
    .map_err(|err| {
        on_unique_violation(err, || {
            ApiError::conflict(format!(
                "The account already holds the role {}.",
                role.as_str()
            ))
        })
    })?;
    audit::record(
        tx,
        Entry {
            actor,
            action: AuditAction::RoleGranted,
            subject_kind: SubjectKind::Account,
            subject_id: account_id,
            summary: json!({ "role": role.as_str() }),
        },
    )
    .await?;
    Ok(account)
}

/// Revokes `role` from an account, audited. The last administrator cannot be removed, so the
/// system always has an operator.
#[tracing::instrument(skip_all, fields(account = %account_id, role = role.as_str()))]
pub async fn revoke_role(
    tx: &Tx,
    viewer: &Viewer,
    account_id: Uuid,
    role: Role,
) -> ApiResult<account::Model> {
    refuse_board(role)?;
    let account = find_account(tx, account_id).await?;
    if role == Role::Admin {
        // Lock every ADMIN row first, so that two administrators revoking each other take
        // turns and the second sees that it would remove the last one.
        AccountRole::find()
            .filter(account_role::Column::Role.eq(role))
            .lock_exclusive()
            .all(tx)
            .await?;
    }
    let removed = AccountRole::delete_many()
        .filter(account_role::Column::AccountId.eq(account_id))
        .filter(account_role::Column::Role.eq(role))
        .exec(tx)
        .await?;
    if removed.rows_affected == 0 {
        return Err(ApiError::conflict(format!(
            "The account does not hold the role {}.",
            role.as_str()
        )));
    }
    if role == Role::Admin {
        let admins_left = AccountRole::find()
            .filter(account_role::Column::Role.eq(role))
            .count(tx)
            .await?;
        if admins_left == 0 {
            return Err(ApiError::conflict("the last ADMIN cannot be revoked"));
        }
    }
    audit::record(
        tx,
        Entry {
            actor: Actor::of(viewer),
            action: AuditAction::RoleRevoked,
            subject_kind: SubjectKind::Account,
            subject_id: account_id,
            summary: json!({ "role": role.as_str() }),
        },
    )
    .await?;
    Ok(account)
}

/// What `update_profile` changes; a field left out keeps its value.
pub struct ProfileChange {
    pub display_name: Option<String>,
}

/// Changes the viewer's own profile, audited with the fields that changed.
#[tracing::instrument(skip_all)]
pub async fn update_profile(
    tx: &Tx,
    viewer: &Viewer,
    change: ProfileChange,
) -> ApiResult<account::Model> {
    let me = viewer.require_account()?;
    let mut account: account::ActiveModel = find_account(tx, me.id).await?.into();
    let mut changed = serde_json::Map::new();
    if let Some(name) = change.display_name {
        changed.insert("displayName".to_owned(), json!(name));
        account.display_name = Set(name);
    }
    account.updated_at = Set(Utc::now());
    let account = account.update(tx).await?;
    audit::record(
        tx,
        Entry {
            actor: Actor::Account(me.id),
            action: AuditAction::AccountProfileUpdated,
            subject_kind: SubjectKind::Account,
            subject_id: me.id,
            summary: serde_json::Value::Object(changed),
        },
    )
    .await?;
    Ok(account)
}

/// Stores a new password hash for the viewer's account and ends every other session of it; the
/// caller's session stays valid. The caller verified the current password. Audited, without
/// any secret.
#[tracing::instrument(skip_all)]
pub async fn change_password(
    tx: &Tx,
    viewer: &Viewer,
    new_hash: String,
) -> ApiResult<account::Model> {
    let me = viewer.require_account()?;
    let mut account: account::ActiveModel = find_account(tx, me.id).await?.into();
    account.password_hash = Set(new_hash);
    account.updated_at = Set(Utc::now());
    let account = account.update(tx).await?;
    let ended = end_sessions(tx, me.id, Some(me.session_id), SessionEnd::PasswordChanged).await?;
    audit::record(
        tx,
        Entry {
            actor: Actor::Account(me.id),
            action: AuditAction::AccountPasswordChanged,
            subject_kind: SubjectKind::Account,
            subject_id: me.id,
            summary: json!({ "sessionsEnded": ended }),
        },
    )
    .await?;
    // Security mail: if it was not them, they learn of it at once.
    crate::notifications::mail::password_changed(tx, me.id).await?;
    Ok(account)
}

/// Ends every session of the viewer's account, the caller's too unless `keep_this_session`:
/// their access tokens stop working at once. Audited. Returns how many sessions ended.
#[tracing::instrument(skip_all)]
pub async fn log_out_everywhere(
    tx: &Tx,
    viewer: &Viewer,
    keep_this_session: bool,
) -> ApiResult<u64> {
    let me = viewer.require_account()?;
    let keep = keep_this_session.then_some(me.session_id);
    let ended = end_sessions(tx, me.id, keep, SessionEnd::LoggedOutEverywhere).await?;
    audit::record(
        tx,
        Entry {
            actor: Actor::Account(me.id),
            action: AuditAction::AccountLoggedOutEverywhere,
            subject_kind: SubjectKind::Account,
            subject_id: me.id,
            summary: json!({ "sessionsEnded": ended }),
        },
    )
    .await?;
    Ok(ended)
}

/// Ends the live sessions of `account`, all but `keep`; returns how many ended.
async fn end_sessions(
    tx: &Tx,
    account: Uuid,
    keep: Option<Uuid>,
    reason: SessionEnd,
) -> ApiResult<u64> {
    let mut update = Session::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(Utc::now()))
        .col_expr(session::Column::RevokedReason, Expr::value(reason))
        .filter(session::Column::AccountId.eq(account))
        .filter(session::Column::RevokedAt.is_null());
    if let Some(keep) = keep {
        update = update.filter(session::Column::Id.ne(keep));
    }
    Ok(update.exec(tx).await?.rows_affected)
}
