//! Sign-up, log-in, sessions, and role grants.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use entity::account;
use poem::http::header::SET_COOKIE;

use crate::{
    accounts::{
        commands::{self, ProfileChange, RefreshKeys, Refreshed, SignUp, Tokens},
        db::find_by_email,
        input::{Email, display_name},
        types::Account,
    },
    audit::Actor,
    auth::{
        Role, RoleGuard, SessionGuard, Viewer,
        cookie::{self, CookieAuthenticated},
        password::{self, Password},
        rate_limit::{self, Limit},
    },
    client_address::ClientAddress,
    error::{ApiError, ApiResult},
    ids::key_of,
    resolve::{run, run_private},
    services::Services,
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

/// How a new session is carried.
#[derive(Enum, Copy, Clone, Debug, Default, PartialEq, Eq)]
pub enum SessionKind {
    /// An access token and a refresh token in the payload, for any client.
    #[default]
    Tokens,
    /// An `HttpOnly` cookie the server sets, for a first-party web frontend: the payload
    /// carries no tokens. Requests it authenticates must be POSTs with `Content-Type:
    /// application/json`, or GETs with a `Quorum-CSRF` header. It lasts 14 days from log-in.
    Cookie,
}

/// Input of `logIn`.
#[derive(InputObject)]
pub struct LogInInput {
    /// The account's email.
    pub email: String,
    /// The account's password.
    pub password: String,
    /// How the session is carried: tokens (the default) or a cookie.
    #[graphql(default)]
    pub session: SessionKind,
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
    /// A refresh token of the session to end. Without it, the session making the request ends:
    /// the one its access token or its session cookie belongs to.
    pub refresh_token: Option<String>,
}

/// Input of `grantRole` and `revokeRole`.
#[derive(InputObject)]
pub struct RoleChangeInput {
    /// The account whose roles change.
    pub account_id: ID,
    /// The role to grant or revoke.
    pub role: Role,
}

/// Input of `updateProfile`: each field left out keeps its value.
#[derive(InputObject)]
pub struct UpdateProfileInput {
    /// The name shown to others, 1 to 100 characters.
    pub display_name: Option<String>,
}

/// Input of `changePassword`.
#[derive(InputObject)]
pub struct ChangePasswordInput {
    /// The password in use now.
    pub current_password: String,
    /// The new password: 12 to 256 characters.
    pub new_password: String,
}

/// Input of `logOutEverywhere`.
#[derive(InputObject)]
pub struct LogOutEverywhereInput {
    /// Keep the session making this request; the default ends it too.
    #[graphql(default)]
    pub keep_this_session: bool,
}

/// The account after a change of its own.
#[derive(SimpleObject)]
pub struct AccountPayload {
    /// The account, as it is now.
    pub account: Account,
}

/// The result of `logOutEverywhere`.
#[derive(SimpleObject)]
pub struct LogOutEverywherePayload {
    /// How many sessions ended.
    pub sessions_ended: u64,
}

/// A new session: the tokens, and whose they are.
#[derive(SimpleObject)]
pub struct SessionPayload {
    /// A short-lived (15 minutes) access token: send it as `Authorization: Bearer …`. Null for
    /// a cookie session.
    pub access_token: Option<String>,
    /// A long-lived, single-use token for `refreshSession`. Keep it secret. Null for a cookie
    /// session.
    pub refresh_token: Option<String>,
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
        let state = ctx.data::<Services>()?;
        let address = ctx
            .data_opt::<ClientAddress>()
            .map_or("unknown", |a| a.0.as_str());
        let limit = Limit::sign_up_per_address(&state.config.rate_limits);
        rate_limit::check(&state.db, &[(limit, address)]).await?;
        let email = Email::parse(&input.email, &crate::field!(input.email))?;
        let display_name = display_name(&input.display_name, &crate::field!(input.display_name))?;
        let password_hash = Password::parse(input.password, &crate::field!(input.password))?
            .hash()
            .await?;
        let sign_up = SignUp {
            email,
            display_name,
            password_hash,
        };
        let (account, tokens) = run_private(ctx, sign_up, async |tx, _, sign_up| {
            commands::sign_up(tx, &state.keys, sign_up).await
        })
        .await?;
        Ok(session_payload(tokens, account))
    }

    /// Logs in with email and password. A wrong password and an unknown email give the same
    /// `UNAUTHENTICATED`; too many attempts give `RATE_LIMITED`. With `session: COOKIE` the
    /// response sets the session cookie and the payload carries no tokens.
    async fn log_in(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation\'s input.")] input: LogInInput,
    ) -> ApiResult<SessionPayload> {
        let state = ctx.data::<Services>()?;
        let email = input.email.trim().to_lowercase();
        let address = ctx
            .data_opt::<ClientAddress>()
            .map_or("unknown", |a| a.0.as_str());
        let limits = &state.config.rate_limits;
        rate_limit::check(
            &state.db,
            &[
                (Limit::log_in_per_account(limits), email.as_str()),
                (Limit::log_in_per_address(limits), address),
            ],
        )
        .await?;
        let account = find_by_email(&state.db, &email).await?;
        let stored = account.as_ref().map(|a| a.password_hash.clone());
        if !password::verify(input.password, stored).await? {
            return Err(ApiError::unauthenticated("the email or password is wrong"));
        }
        let account =
            account.ok_or_else(|| ApiError::unauthenticated("the email or password is wrong"))?;
        match input.session {
            SessionKind::Tokens => {
                let tokens = run_private(ctx, account.id, async |tx, _, id| {
                    commands::start_session(tx, &state.keys, id).await
                })
                .await?;
                Ok(session_payload(tokens, account))
            }
            SessionKind::Cookie => {
                let credential = run_private(ctx, account.id, async |tx, _, id| {
                    commands::start_cookie_session(tx, id).await
                })
                .await?;
                ctx.append_http_header(SET_COOKIE, cookie::set(&state.config, &credential));
                Ok(SessionPayload {
                    access_token: None,
                    refresh_token: None,
                    account: Account::for_owner(account),
                })
            }
        }
    }

    /// Exchanges a refresh token for new tokens. Each refresh token works once: the same token
    /// sent again soon after (within `QUORUM_REFRESH_REUSE_GRACE_SECS`, 30 seconds by default,
    /// as when two tabs refresh at once) answers the same new tokens, and reusing one after
    /// that ends the whole session, since it means the token was stolen.
    async fn refresh_session(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation\'s input.")] input: RefreshSessionInput,
    ) -> ApiResult<RefreshSessionPayload> {
        let state = ctx.data::<Services>()?;
        let keys = RefreshKeys {
            signing: &state.keys,
            sealing: &state.secrets,
            grace: state.config.refresh_reuse_grace,
        };
        // A reused token ends the session: that must be kept even though the caller is refused,
        // so the command answers `Reused` rather than an error, and the change commits.
        let refreshed = run_private(ctx, input.refresh_token, async |tx, _, token| {
            commands::refresh_session(tx, keys, &token).await
        })
        .await?;
        match refreshed {
            Refreshed::Rotated(tokens) => Ok(RefreshSessionPayload {
                access_token: tokens.access_token,
                refresh_token: tokens.refresh_token,
            }),
            Refreshed::Reused => Err(ApiError::unauthenticated(
                "this refresh token was already used; the session is ended, log in again",
            )),
        }
    }

    /// Ends a session: the one the refresh token belongs to, or without one the session making
    /// the request (its access token's or its cookie's). Its access tokens and open WebSocket
    /// connections stop working at once, and a session cookie is cleared.
    async fn log_out(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation\'s input.")] input: LogOutInput,
    ) -> ApiResult<LogOutPayload> {
        let state = ctx.data::<Services>()?;
        let viewer = Viewer::of(ctx);
        let ended = run_private(ctx, input.refresh_token.as_deref(), commands::log_out).await?;
        if let Viewer::Account(me) = viewer
            && me.session_id == ended
        {
            forget_cookie(ctx, state);
        }
        Ok(LogOutPayload { ok: true })
    }

    /// Changes the viewer's own profile. Audited.
    #[graphql(guard = "SessionGuard")]
    async fn update_profile(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: UpdateProfileInput,
    ) -> ApiResult<AccountPayload> {
        let change = ProfileChange {
            display_name: input
                .display_name
                .as_deref()
                .map(|name| display_name(name, &crate::field!(input.display_name)))
                .transpose()?,
        };
        let account = run(ctx, change, commands::update_profile).await?;
        Ok(AccountPayload {
            account: Account::for_owner(account),
        })
    }

    /// Changes the viewer's password. The current password is required (a wrong one is
    /// `BAD_USER_INPUT` on `input.currentPassword`, and attempts count against the log-in
    /// limit). Every other session of the account ends; the caller's stays valid. Audited.
    #[graphql(guard = "SessionGuard")]
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: ChangePasswordInput,
    ) -> ApiResult<AccountPayload> {
        let state = ctx.data::<Services>()?;
        let viewer = Viewer::of(ctx);
        let me = viewer.require_account()?;
        let stored = crate::accounts::db::find_account(&state.db, me.id).await?;
        let limit = Limit::log_in_per_account(&state.config.rate_limits);
        rate_limit::check(&state.db, &[(limit, stored.email.as_str())]).await?;
        let new_hash = Password::parse(input.new_password, &crate::field!(input.new_password))?;
        if !password::verify(input.current_password, Some(stored.password_hash)).await? {
            return Err(ApiError::bad_input(
                crate::field!(input.current_password),
                "The current password is wrong.",
            ));
        }
        let new_hash = new_hash.hash().await?;
        let account = run_private(ctx, new_hash, commands::change_password).await?;
        Ok(AccountPayload {
            account: Account::for_owner(account),
        })
    }

    /// Ends every session of the viewer's account, on every device: their access tokens stop
    /// working at once. With `keepThisSession`, the session making the request stays. Audited.
    #[graphql(guard = "SessionGuard")]
    async fn log_out_everywhere(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: LogOutEverywhereInput,
    ) -> ApiResult<LogOutEverywherePayload> {
        let state = ctx.data::<Services>()?;
        let sessions_ended =
            run_private(ctx, input.keep_this_session, commands::log_out_everywhere).await?;
        if !input.keep_this_session {
            forget_cookie(ctx, state);
        }
        Ok(LogOutEverywherePayload { sessions_ended })
    }

    /// Grants a role to an account. `ADMIN` only; audited.
    #[graphql(guard = "RoleGuard::new(Role::Admin)")]
    async fn grant_role(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation\'s input.")] input: RoleChangeInput,
    ) -> ApiResult<RoleChangePayload> {
        let account_id = key_of::<Account>(&input.account_id, &crate::field!(input.account_id))?;
        let account = run(ctx, input.role, async |tx, viewer, role| {
            commands::grant_role(tx, Actor::of(viewer), account_id, role).await
        })
        .await?;
        Ok(RoleChangePayload {
            account: Account::new(account),
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
        let account_id = key_of::<Account>(&input.account_id, &crate::field!(input.account_id))?;
        let account = run(ctx, input.role, async |tx, viewer, value| {
            commands::revoke_role(tx, viewer, account_id, value).await
        })
        .await?;
        Ok(RoleChangePayload {
            account: Account::new(account),
        })
    }
}

/// Clears the session cookie when it authenticated this request and its session has ended.
fn forget_cookie(ctx: &Context<'_>, state: &Services) {
    if ctx.data_opt::<CookieAuthenticated>().is_some() {
        ctx.append_http_header(SET_COOKIE, cookie::clear(&state.config));
    }
}

fn session_payload(tokens: Tokens, account: account::Model) -> SessionPayload {
    SessionPayload {
        access_token: Some(tokens.access_token),
        refresh_token: Some(tokens.refresh_token),
        account: Account::for_owner(account),
    }
}
