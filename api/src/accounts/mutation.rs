//! Sign-up, log-in, sessions, and role grants.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::Utc;
use entity::{
    account, account_role,
    prelude::{AccountRole, RefreshToken, Session},
    refresh_token, session,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect, Set,
    sea_query::Expr,
};
use serde_json::json;

use crate::{
    AppState,
    accounts::{
        db::{Tokens, find_account, find_by_email, grant_role, issue_tokens, start_session},
        input::{Email, display_name},
        types::Account,
    },
    audit::{self, Actor, Entry},
    auth::{
        Role, RoleGuard, Viewer,
        password::{self, Password},
        secrets,
    },
    db::begin_write,
    error::{ApiError, ApiResult, on_unique_violation},
    http::graphql::ClientAddress,
    ids::{self, key_of},
};

#[derive(Default)]
pub struct AccountMutation;

/// Input of `signUp`.
#[derive(InputObject)]
pub struct SignUpInput {
    /// The email to log in with; private to the account and the administrators.
    pub email: String,
    /// 12 to 256 characters.
    pub password: String,
    /// The name shown to others.
    pub display_name: String,
}

/// Input of `logIn`.
#[derive(InputObject)]
pub struct LogInInput {
    /// The account's email.
    pub email: String,
    /// The account's password.
    pub password: String,
}

/// Input of `refreshSession`.
#[derive(InputObject)]
pub struct RefreshSessionInput {
    /// The refresh token from the last sign-up, log-in or refresh. It is used up.
    pub refresh_token: String,
}

/// Input of `logOut`.
#[derive(InputObject)]
pub struct LogOutInput {
    /// A refresh token of the session to end.
    pub refresh_token: String,
}

/// Input of `grantRole` and `revokeRole`.
#[derive(InputObject)]
pub struct RoleChangeInput {
    /// The account whose roles change.
    pub account_id: ID,
    /// The role to grant or revoke.
    pub role: Role,
}

/// A new session: the tokens, and whose they are.
#[derive(SimpleObject)]
pub struct SessionPayload {
    /// A short-lived (15 minutes) access token: send it as `Authorization: Bearer …`.
    pub access_token: String,
    /// A long-lived, single-use token for `refreshSession`. Keep it secret.
    pub refresh_token: String,
    /// The account logged in.
    pub account: Account,
}

/// Fresh tokens for a continuing session.
#[derive(SimpleObject)]
pub struct RefreshSessionPayload {
    /// A new access token.
    pub access_token: String,
    /// A new refresh token; the one sent is now used up.
    pub refresh_token: String,
}

/// The result of `logOut`.
#[derive(SimpleObject)]
pub struct LogOutPayload {
    /// True once the session is ended.
    pub ok: bool,
}

/// The account after a role change.
#[derive(SimpleObject)]
pub struct RoleChangePayload {
    /// The account, with its roles now.
    pub account: Account,
}

#[Object]
impl AccountMutation {
    /// Creates an account and logs it in.
    async fn sign_up(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation\'s input.")] input: SignUpInput,
    ) -> ApiResult<SessionPayload> {
        let state = ctx.data::<AppState>()?;
        let email = Email::parse(&input.email, "input.email")?;
        let name = display_name(&input.display_name, "input.displayName")?;
        let password_hash = Password::parse(input.password, "input.password")?
            .hash()
            .await?;
        let now = Utc::now();
        let tx = begin_write(&state.db).await?;
        let account = account::ActiveModel {
            id: Set(ids::new_key()),
            email: Set(email.into_inner()),
            display_name: Set(name),
            password_hash: Set(password_hash),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&tx)
        .await
        .map_err(|err| {
            on_unique_violation(err, || {
                ApiError::conflict("an account with this email already exists")
            })
        })?;
        audit::record(
            &tx,
            Entry {
                actor: Actor::Account(account.id),
                action: "account.created",
                subject_kind: "Account",
                subject_id: account.id,
                summary: json!({ "displayName": account.display_name }),
            },
        )
        .await?;
        let tokens = start_session(&tx, &state.keys, account.id).await?;
        tx.commit().await?;
        Ok(session_payload(tokens, account))
    }

    /// Logs in with email and password. A wrong password and an unknown email give the same
    /// `UNAUTHENTICATED`; too many attempts give `RATE_LIMITED`.
    async fn log_in(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation\'s input.")] input: LogInInput,
    ) -> ApiResult<SessionPayload> {
        let state = ctx.data::<AppState>()?;
        let email = input.email.trim().to_lowercase();
        let address = ctx
            .data_opt::<ClientAddress>()
            .map_or("unknown", |a| a.0.as_str());
        state.login_limiter.check(&email, address)?;
        let account = find_by_email(&state.db, &email).await?;
        let stored = account.as_ref().map(|a| a.password_hash.clone());
        if !password::verify(input.password, stored).await? {
            return Err(ApiError::unauthenticated("the email or password is wrong"));
        }
        let account =
            account.ok_or_else(|| ApiError::unauthenticated("the email or password is wrong"))?;
        let tx = begin_write(&state.db).await?;
        let tokens = start_session(&tx, &state.keys, account.id).await?;
        tx.commit().await?;
        Ok(session_payload(tokens, account))
    }

    /// Exchanges a refresh token for new tokens. Each refresh token works once: reusing one ends
    /// the whole session, since it means the token was stolen.
    async fn refresh_session(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation\'s input.")] input: RefreshSessionInput,
    ) -> ApiResult<RefreshSessionPayload> {
        let state = ctx.data::<AppState>()?;
        let invalid = || ApiError::unauthenticated("the refresh token is invalid or expired");
        let tx = begin_write(&state.db).await?;
        let token = RefreshToken::find()
            .filter(refresh_token::Column::TokenHash.eq(secrets::hash(&input.refresh_token)))
            .one(&tx)
            .await?
            .ok_or_else(invalid)?;
        let session = Session::find_by_id(token.session_id)
            .one(&tx)
            .await?
            .ok_or_else(invalid)?;
        if session.revoked_at.is_some() || token.expires_at <= Utc::now() {
            return Err(invalid());
        }
        let claimed = RefreshToken::update_many()
            .col_expr(refresh_token::Column::UsedAt, Expr::value(Utc::now()))
            .filter(refresh_token::Column::Id.eq(token.id))
            .filter(refresh_token::Column::UsedAt.is_null())
            .exec(&tx)
            .await?;
        if claimed.rows_affected == 0 {
            revoke_session(&tx, session.id, "REFRESH_REUSED").await?;
            tx.commit().await?;
            tracing::warn!(session = %session.id, "a used refresh token was presented again; session revoked");
            return Err(ApiError::unauthenticated(
                "this refresh token was already used; the session is ended, log in again",
            ));
        }
        let tokens = issue_tokens(&tx, &state.keys, session.account_id, session.id).await?;
        tx.commit().await?;
        Ok(RefreshSessionPayload {
            access_token: tokens.access_token,
            refresh_token: tokens.refresh_token,
        })
    }

    /// Ends the session the refresh token belongs to; its access tokens stop working at once.
    async fn log_out(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation\'s input.")] input: LogOutInput,
    ) -> ApiResult<LogOutPayload> {
        let state = ctx.data::<AppState>()?;
        let token = RefreshToken::find()
            .filter(refresh_token::Column::TokenHash.eq(secrets::hash(&input.refresh_token)))
            .one(&state.db)
            .await?
            .ok_or_else(|| ApiError::unauthenticated("the refresh token is invalid"))?;
        let tx = begin_write(&state.db).await?;
        revoke_session(&tx, token.session_id, "LOGGED_OUT").await?;
        tx.commit().await?;
        Ok(LogOutPayload { ok: true })
    }

    /// Grants a role to an account. `ADMIN` only; audited.
    #[graphql(guard = "RoleGuard::new(Role::Admin)")]
    async fn grant_role(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation\'s input.")] input: RoleChangeInput,
    ) -> ApiResult<RoleChangePayload> {
        let state = ctx.data::<AppState>()?;
        let account_id = key_of::<Account>(&input.account_id, "input.accountId")?;
        let tx = begin_write(&state.db).await?;
        let account = find_account(&tx, account_id).await?;
        grant_role(&tx, Actor::of(Viewer::of(ctx)), account_id, input.role).await?;
        tx.commit().await?;
        Ok(RoleChangePayload {
            account: Account(account),
        })
    }

    /// Revokes a role from an account. `ADMIN` only; audited. The last administrator cannot be
    /// removed, so the system always has an operator.
    #[graphql(guard = "RoleGuard::new(Role::Admin)")]
    async fn revoke_role(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation\'s input.")] input: RoleChangeInput,
    ) -> ApiResult<RoleChangePayload> {
        let state = ctx.data::<AppState>()?;
        let account_id = key_of::<Account>(&input.account_id, "input.accountId")?;
        let role = input.role.as_str();
        let tx = begin_write(&state.db).await?;
        let account = find_account(&tx, account_id).await?;
        if input.role == Role::Admin {
            // Lock every ADMIN row first, so that two administrators revoking each other take
            // turns and the second sees that it would remove the last one.
            AccountRole::find()
                .filter(account_role::Column::Role.eq(role))
                .lock_exclusive()
                .all(&tx)
                .await?;
        }
        let removed = AccountRole::delete_many()
            .filter(account_role::Column::AccountId.eq(account_id))
            .filter(account_role::Column::Role.eq(role))
            .exec(&tx)
            .await?;
        if removed.rows_affected == 0 {
            return Err(ApiError::conflict(format!(
                "the account does not hold {role}"
            )));
        }
        if input.role == Role::Admin {
            let admins_left = AccountRole::find()
                .filter(account_role::Column::Role.eq(role))
                .count(&tx)
                .await?;
            if admins_left == 0 {
                return Err(ApiError::conflict("the last ADMIN cannot be revoked"));
            }
        }
        audit::record(
            &tx,
            Entry {
                actor: Actor::of(Viewer::of(ctx)),
                action: "role.revoked",
                subject_kind: "Account",
                subject_id: account_id,
                summary: json!({ "role": role }),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(RoleChangePayload {
            account: Account(account),
        })
    }
}

fn session_payload(tokens: Tokens, account: account::Model) -> SessionPayload {
    SessionPayload {
        access_token: tokens.access_token,
        refresh_token: tokens.refresh_token,
        account: Account(account),
    }
}

/// Ends a session; already-ended sessions stay as they were.
async fn revoke_session(
    tx: &impl sea_orm::ConnectionTrait,
    session_id: uuid::Uuid,
    reason: &str,
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
