//! The account aggregate's changes of state: signing up, sessions and their tokens, role grants.

use crate::audit::{AuditAction, SubjectKind};
use crate::db::Tx;
use chrono::{DateTime, Duration, Utc};
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
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::{
    accounts::{db::find_account, input::Email},
    audit::{self, Actor, Entry},
    auth::{Role, Viewer, access, cookie, keys::SigningKeys, sealing::ServerSecrets, secrets},
    error::{ApiError, ApiResult, on_unique_violation},
    ids,
};

/// How long a refresh token may wait to be used.
pub const REFRESH_LIFETIME: Duration = Duration::days(30);
/// Refresh tokens carry a prefix of their own, distinct from API tokens.
const REFRESH_PREFIX: &str = "qrr_";

/// A fresh pair of tokens.
#[derive(Serialize, Deserialize)]
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

/// Starts a session of tokens for `account_id` and returns its first tokens.
#[tracing::instrument(skip_all, fields(account = %account_id))]
pub async fn start_session(
    db: &impl ConnectionTrait,
    keys: &SigningKeys,
    account_id: Uuid,
) -> ApiResult<Tokens> {
    let session_id = insert_session(db, account_id, None).await?;
    let tokens = new_tokens(keys, account_id, session_id)?;
    store_refresh_token(db, session_id, &tokens.refresh_token, Utc::now()).await?;
    Ok(tokens)
}

/// Starts a cookie session for `account_id`, which ends [`cookie::LIFETIME`] from now, and
/// returns the credential the cookie carries. Only its hash is stored.
#[tracing::instrument(skip_all, fields(account = %account_id))]
pub async fn start_cookie_session(
    db: &impl ConnectionTrait,
    account_id: Uuid,
) -> ApiResult<String> {
    let credential = secrets::generate(cookie::PREFIX);
    insert_session(db, account_id, Some(&credential)).await?;
    Ok(credential)
}

/// Inserts a live session, of tokens or (with its credential) carried by a cookie.
async fn insert_session(
    db: &impl ConnectionTrait,
    account_id: Uuid,
    cookie: Option<&str>,
) -> ApiResult<Uuid> {
    let now = Utc::now();
    let session_id = ids::new_key();
    session::ActiveModel {
        id: Set(session_id),
        account_id: Set(account_id),
        created_at: Set(now),
        revoked_at: Set(None),
        revoked_reason: Set(None),
        cookie_hash: Set(cookie.map(secrets::hash)),
        cookie_expires_at: Set(cookie.map(|_| now + cookie::LIFETIME)),
    }
    .insert(db)
    .await?;
    Ok(session_id)
}

/// A new access token and refresh token in a session, not yet stored.
fn new_tokens(keys: &SigningKeys, account_id: Uuid, session_id: Uuid) -> ApiResult<Tokens> {
    Ok(Tokens {
        access_token: access::issue(keys, account_id, session_id)?,
        refresh_token: secrets::generate(REFRESH_PREFIX),
    })
}

/// Stores a refresh token of `session_id`, by its hash, live for [`REFRESH_LIFETIME`].
async fn store_refresh_token(
    db: &impl ConnectionTrait,
    session_id: Uuid,
    refresh_token: &str,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    refresh_token::ActiveModel {
        id: Set(ids::new_key()),
        session_id: Set(session_id),
        token_hash: Set(secrets::hash(refresh_token)),
        created_at: Set(now),
        expires_at: Set(now + REFRESH_LIFETIME),
        used_at: Set(None),
        sealed_successor: Set(None),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The outcome of presenting a refresh token.
pub enum Refreshed {
    /// The token was live, or was used within the grace window: the new tokens of the session
    /// (for a repeat, the very pair the first use issued).
    Rotated(Tokens),
    /// The token had been used before the grace window: the session is now ended (commit
    /// this), and the caller must refuse.
    Reused,
}

/// What refreshing needs besides the token: the keys that sign the new access token and seal
/// the pair for a repeat, and how long a repeat is answered.
pub struct RefreshKeys<'a> {
    pub signing: &'a SigningKeys,
    pub sealing: &'a ServerSecrets,
    pub grace: std::time::Duration,
}

/// Uses up a refresh token and issues new tokens in its session.
///
/// The same token presented again within the grace window (two tabs, or React StrictMode,
/// refreshing at once) answers the pair its first use issued, kept sealed on its row for that
/// purpose; after the window, a second use ends the session, since the token was likely stolen.
/// Of two uses at once, one wins the conditional update; the other's update waits for the
/// winner's commit (a row lock on PostgreSQL, the write lock on SQLite) and then reads the pair
/// the winner sealed.
#[tracing::instrument(skip_all)]
pub async fn refresh_session(
    tx: &Tx,
    keys: RefreshKeys<'_>,
    refresh_token: &str,
) -> ApiResult<Refreshed> {
    let invalid = || ApiError::unauthenticated("the refresh token is invalid or expired");
    let mut token = RefreshToken::find()
        .filter(refresh_token::Column::TokenHash.eq(secrets::hash(refresh_token)))
        .one(tx)
        .await?
        .ok_or_else(invalid)?;
    let session = Session::find_by_id(token.session_id)
        .one(tx)
        .await?
        .ok_or_else(invalid)?;
    let now = Utc::now();
    if session.revoked_at.is_some() || token.expires_at <= now {
        return Err(invalid());
    }
    let grace = Duration::from_std(keys.grace).unwrap_or(Duration::MAX);
    if token.used_at.is_none() {
        let tokens = new_tokens(keys.signing, session.account_id, session.id)?;
        let sealed = seal_successor(keys.sealing, token.id, &tokens)?;
        let claimed = RefreshToken::update_many()
            .col_expr(refresh_token::Column::UsedAt, Expr::value(now))
            .col_expr(refresh_token::Column::SealedSuccessor, Expr::value(sealed))
            .filter(refresh_token::Column::Id.eq(token.id))
            .filter(refresh_token::Column::UsedAt.is_null())
            .exec(tx)
            .await?;
        if claimed.rows_affected == 1 {
            store_refresh_token(tx, session.id, &tokens.refresh_token, now).await?;
            if let Some(window_start) = now.checked_sub_signed(grace) {
                forget_successors(tx, session.id, Some(window_start)).await?;
            }
            return Ok(Refreshed::Rotated(tokens));
        }
        // Another use won and has committed: read what it issued.
        token = RefreshToken::find_by_id(token.id)
            .one(tx)
            .await?
            .ok_or_else(invalid)?;
    }
    if let Some(tokens) = repeat(keys.sealing, &token, now, grace) {
        tracing::debug!(session = %session.id, "a refresh token was presented again within the grace window");
        return Ok(Refreshed::Rotated(tokens));
    }
    end_session(tx, session.id, SessionEnd::RefreshReused).await?;
    tracing::warn!(session = %session.id, "a used refresh token was presented again; session revoked");
    Ok(Refreshed::Reused)
}

/// The pair `token`'s use issued, sealed so that only this server can read it again, bound to
/// the token's row.
fn seal_successor(secrets: &ServerSecrets, token: Uuid, tokens: &Tokens) -> ApiResult<String> {
    let plain = serde_json::to_vec(tokens).map_err(ApiError::internal)?;
    secrets
        .seal_successor(&plain, token.as_bytes())
        .map_err(ApiError::internal)
}

/// The pair a used token issued, if it was used no more than `grace` ago and the pair is still
/// kept.
fn repeat(
    secrets: &ServerSecrets,
    token: &refresh_token::Model,
    now: DateTime<Utc>,
    grace: Duration,
) -> Option<Tokens> {
    let used_at = token.used_at?;
    if now - used_at > grace {
        return None;
    }
    let plain = secrets
        .open_successor(token.sealed_successor.as_deref()?, token.id.as_bytes())
        .inspect_err(
            |err| tracing::warn!(error = %err, "a refresh token's successor could not be opened"),
        )
        .ok()?;
    serde_json::from_slice(&plain).ok()
}

/// Forgets the sealed pairs of `session`'s used tokens, those used before `before` (the grace
/// window has passed for them) or all: the server keeps a pair readable only as long as it may
/// answer it again.
async fn forget_successors(
    tx: &impl ConnectionTrait,
    session_id: Uuid,
    before: Option<DateTime<Utc>>,
) -> ApiResult<()> {
    let mut update = RefreshToken::update_many()
        .col_expr(
            refresh_token::Column::SealedSuccessor,
            Expr::value(Option::<String>::None),
        )
        .filter(refresh_token::Column::SessionId.eq(session_id))
        .filter(refresh_token::Column::SealedSuccessor.is_not_null());
    if let Some(before) = before {
        update = update.filter(refresh_token::Column::UsedAt.lt(before));
    }
    update.exec(tx).await?;
    Ok(())
}

/// Ends one session: the one `refresh_token` belongs to, or without it the viewer's own (from
/// its access token or its cookie). Its access tokens stop working at once. Returns the
/// session ended.
#[tracing::instrument(skip_all)]
pub async fn log_out(tx: &Tx, viewer: &Viewer, refresh_token: Option<&str>) -> ApiResult<Uuid> {
    let session_id = match refresh_token {
        Some(refresh_token) => {
            RefreshToken::find()
                .filter(refresh_token::Column::TokenHash.eq(secrets::hash(refresh_token)))
                .one(tx)
                .await?
                .ok_or_else(|| ApiError::unauthenticated("the refresh token is invalid"))?
                .session_id
        }
        None => viewer.require_account()?.session_id,
    };
    end_session(tx, session_id, SessionEnd::LoggedOut).await?;
    Ok(session_id)
}

/// Ends a session; already-ended sessions stay as they were. The pairs it kept for repeats are
/// forgotten.
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
    forget_successors(tx, session_id, None).await
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
        Actor::System | Actor::Integration(_) => None,
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
