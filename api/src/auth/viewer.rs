//! The viewer: who is calling, read on every request from the `Authorization` header or the
//! session cookie.

use std::{collections::HashSet, future::Future};

use async_graphql::Context;
use chrono::Utc;
use entity::{
    account_role, api_token, api_token_scope, directorship, integration_scope, integration_secret,
    prelude::*, session,
};
use poem::http::{HeaderMap, header};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect,
};
use uuid::Uuid;

use crate::{
    auth::{
        access, cookie,
        keys::SigningKeys,
        roles::{ApiScope, Role},
        secrets,
        usage::{TokenUsage, Used},
    },
    config::Config,
    error::{ApiError, ApiResult},
    public_cache::{Cacheable, PublicCache},
};

/// The prefix of every API token, so secret scanners can recognise a leaked one.
pub const API_TOKEN_PREFIX: &str = "qrm_";

/// The prefix of every integration secret, told apart from a person's API token at a glance.
pub const INTEGRATION_SECRET_PREFIX: &str = "qri_";

/// Who is calling.
#[derive(Clone, Debug, Default)]
pub enum Viewer {
    /// No credential.
    #[default]
    Anonymous,
    /// A person, through an access token or the session cookie.
    Account(AccountViewer),
    /// A machine credential: a person's API token or an integration's secret. It does what its
    /// scopes allow, nothing more.
    ApiToken(TokenViewer),
}

/// A logged-in person, with the roles they hold right now.
#[derive(Clone, Debug)]
pub struct AccountViewer {
    pub id: Uuid,
    pub session_id: Uuid,
    pub roles: HashSet<Role>,
}

/// A machine credential.
#[derive(Clone, Debug)]
pub struct TokenViewer {
    /// The API token's id, or the integration secret's.
    pub id: Uuid,
    pub scopes: HashSet<ApiScope>,
    /// The integration whose secret this is; `None` for a person's API token.
    pub integration: Option<IntegrationGrant>,
}

/// The integration behind a secret: whose it is, which bounds what its scopes reach.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IntegrationGrant {
    pub id: Uuid,
    /// The organization it belongs to; `None` for the foundation's own.
    pub organization_id: Option<Uuid>,
}

impl Viewer {
    /// The viewer of the current GraphQL request.
    pub fn of<'a>(ctx: &Context<'a>) -> &'a Viewer {
        static ANONYMOUS: Viewer = Viewer::Anonymous;
        ctx.data_opt::<Viewer>().unwrap_or(&ANONYMOUS)
    }

    /// The logged-in person, or `UNAUTHENTICATED` (anonymous) / `FORBIDDEN` (an API token, which
    /// may never change data).
    pub fn require_account(&self) -> ApiResult<&AccountViewer> {
        match self {
            Viewer::Account(account) => Ok(account),
            Viewer::Anonymous => Err(ApiError::unauthenticated("log in to do this")),
            Viewer::ApiToken(token) if token.integration.is_some() => Err(ApiError::forbidden(
                "an integration does only what its scopes name; log in as a person to do this",
            )),
            Viewer::ApiToken(_) => Err(ApiError::forbidden(
                "API tokens can only read; log in as a person to do this",
            )),
        }
    }

    pub fn account_id(&self) -> Option<Uuid> {
        match self {
            Viewer::Account(account) => Some(account.id),
            _ => None,
        }
    }

    pub fn has_role(&self, role: Role) -> bool {
        matches!(self, Viewer::Account(account) if account.roles.contains(&role))
    }

    /// Whether this viewer reads the public roots of `request` as an anonymous caller does, so
    /// that the public cache may answer it: an API token reads the sponsor list only with
    /// `SPONSORS_READ`.
    pub fn admits(&self, request: &Cacheable) -> bool {
        match self {
            Viewer::ApiToken(_) => {
                !request.reads_sponsors || self.has_scope(ApiScope::SponsorsRead)
            }
            _ => true,
        }
    }

    pub fn has_scope(&self, scope: ApiScope) -> bool {
        matches!(self, Viewer::ApiToken(token) if token.scopes.contains(&scope))
    }

    /// The integration calling, if the credential is an integration's secret.
    pub fn integration(&self) -> Option<IntegrationGrant> {
        match self {
            Viewer::ApiToken(token) => token.integration,
            _ => None,
        }
    }

    /// Whether the viewer is an integration holding `WEBHOOKS_MANAGE` for the endpoints of
    /// `organization` (the foundation's when `None`): its own owner's, and no one else's.
    pub fn manages_webhooks_of(&self, organization: Option<Uuid>) -> bool {
        self.has_scope(ApiScope::WebhooksManage)
            && self
                .integration()
                .is_some_and(|grant| grant.organization_id == organization)
    }

    /// Whether the viewer is the account `id` or an administrator.
    pub fn is_self_or_admin(&self, id: Uuid) -> bool {
        self.account_id() == Some(id) || self.has_role(Role::Admin)
    }
}

/// What a request presents to say who is calling.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Credential {
    /// Nothing: the caller is anonymous.
    #[default]
    None,
    /// An `Authorization` header's value.
    Authorization(String),
    /// The session cookie's credential.
    Cookie(String),
}

impl Credential {
    /// A request's credential: its `Authorization` header, which wins over the session cookie
    /// when both are sent, else the cookie.
    pub fn of(headers: &HeaderMap, config: &Config) -> Self {
        if let Some(value) = headers.get(header::AUTHORIZATION) {
            // A value that is not text is still a credential, and an invalid one.
            return Self::Authorization(value.to_str().unwrap_or_default().to_owned());
        }
        cookie::read(headers, config).map_or(Self::None, |value| Self::Cookie(value.to_owned()))
    }

    /// Whether the session cookie is what authenticates the request.
    pub fn is_cookie(&self) -> bool {
        matches!(self, Self::Cookie(_))
    }
}

/// What reading a viewer needs from the process: the database, the keys access tokens are signed
/// with, where an API token's uses are noted, and the cache of what stored credentials read as.
pub struct Authenticator<'a> {
    pub db: &'a DatabaseConnection,
    pub keys: &'a SigningKeys,
    pub token_usage: &'a TokenUsage,
    /// Keeps what stored credentials read as until the next write commits.
    pub cache: &'a PublicCache,
}

/// Reads the viewer from a request's credential. None is anonymous; anything present but not
/// a valid, live credential is `UNAUTHENTICATED`, never anonymous.
pub async fn authenticate(state: &Authenticator<'_>, credential: &Credential) -> ApiResult<Viewer> {
    match credential {
        Credential::None => Ok(Viewer::Anonymous),
        Credential::Authorization(value) => bearer_viewer(state, value).await,
        Credential::Cookie(value) => cookie_viewer(state.db, value).await,
    }
}

/// The viewer of an `Authorization` header: `Bearer` and an access or API token.
async fn bearer_viewer(state: &Authenticator<'_>, value: &str) -> ApiResult<Viewer> {
    let token = value
        .split_once(' ')
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .filter(|token| !token.is_empty())
        .ok_or_else(|| {
            ApiError::unauthenticated(
                "The Authorization header must be Bearer followed by a token.",
            )
        })?;
    if token.starts_with(API_TOKEN_PREFIX) {
        return api_token_viewer(state, token).await;
    }
    if token.starts_with(INTEGRATION_SECRET_PREFIX) {
        return integration_viewer(state, token).await;
    }
    let claims = access::verify(state.keys, token)?;
    account_viewer(state.db, claims.sub, claims.sid).await
}

/// A person's viewer, if their session is live. Roles are read now, so a revocation takes effect
/// on the next request.
pub async fn account_viewer(
    db: &impl ConnectionTrait,
    account_id: Uuid,
    session_id: Uuid,
) -> ApiResult<Viewer> {
    let live = Session::find_by_id(session_id)
        .filter(session::Column::AccountId.eq(account_id))
        .filter(session::Column::RevokedAt.is_null())
        .one(db)
        .await?;
    if live.is_none() {
        return Err(ApiError::unauthenticated(
            "the session has ended; log in again",
        ));
    }
    let roles = roles_of(db, account_id).await?;
    Ok(Viewer::Account(AccountViewer {
        id: account_id,
        session_id,
        roles,
    }))
}

/// A person's viewer from the session cookie's credential, if its session is live and not past
/// its lifetime.
async fn cookie_viewer(db: &impl ConnectionTrait, credential: &str) -> ApiResult<Viewer> {
    let ended = || ApiError::unauthenticated("the session has ended; log in again");
    let session = Session::find()
        .filter(session::Column::CookieHash.eq(secrets::hash(credential)))
        .one(db)
        .await?
        .ok_or_else(ended)?;
    let expired = session
        .cookie_expires_at
        .is_none_or(|expiry| expiry <= Utc::now());
    if session.revoked_at.is_some() || expired {
        return Err(ended());
    }
    let roles = roles_of(db, session.account_id).await?;
    Ok(Viewer::Account(AccountViewer {
        id: session.account_id,
        session_id: session.id,
        roles,
    }))
}

/// The viewer of an account acting outside a request (demo data, the CLI, test factories), with
/// the roles it holds now. Commands check it exactly as they check a request's viewer.
pub async fn offline_viewer(db: &impl ConnectionTrait, account_id: Uuid) -> ApiResult<Viewer> {
    let roles = roles_of(db, account_id).await?;
    Ok(Viewer::Account(AccountViewer {
        id: account_id,
        session_id: Uuid::nil(),
        roles,
    }))
}

/// The roles an account holds, read from the database: those granted, and `BOARD` while it
/// holds a directorship in office (the role follows the board of record, never a grant).
pub async fn roles_of(db: &impl ConnectionTrait, account_id: Uuid) -> ApiResult<HashSet<Role>> {
    let roles: Vec<Role> = AccountRole::find()
        .select_only()
        .column(account_role::Column::Role)
        .filter(account_role::Column::AccountId.eq(account_id))
        .into_tuple()
        .all(db)
        .await?;
    let mut roles: HashSet<Role> = roles.into_iter().collect();
    let director = Directorship::find()
        .filter(directorship::Column::AccountId.eq(account_id))
        .filter(directorship::in_office_on(Utc::now().date_naive()))
        .one(db)
        .await?;
    if director.is_some() {
        roles.insert(Role::Board);
    }
    Ok(roles)
}

/// A token's scopes. Read on their own rather than joined to the token: a joined read
/// (`find_with_related`) skips a row it cannot decode, and a scope no release granted must be
/// an error, never a power dropped in silence.
async fn scopes(db: &impl ConnectionTrait, token: Uuid) -> ApiResult<HashSet<ApiScope>> {
    Ok(ApiTokenScope::find()
        .select_only()
        .column(api_token_scope::Column::Scope)
        .filter(api_token_scope::Column::ApiTokenId.eq(token))
        .into_tuple::<ApiScope>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// What a stored credential reads as: its viewer, when it stops working on its own, and the use
/// to note. Kept by the public cache until any write commits, so a revocation takes effect on
/// the next request; the expiry is checked on every use.
#[derive(Clone)]
struct StoredCredential {
    viewer: Viewer,
    expires_at: Option<chrono::DateTime<Utc>>,
    used: Used,
}

/// The viewer of a stored credential (`hash` is its SHA-256), read by `read` or kept; `invalid`
/// once it has expired.
async fn stored_credential<F>(
    state: &Authenticator<'_>,
    hash: &str,
    invalid: impl Fn() -> ApiError,
    read: F,
) -> ApiResult<Viewer>
where
    F: Future<Output = ApiResult<StoredCredential>>,
{
    let stored = state.cache.credential(hash, read).await?;
    if stored.expires_at.is_some_and(|expiry| expiry <= Utc::now()) {
        return Err(invalid());
    }
    // Reads never write: the use is noted in memory and recorded in the background.
    state.token_usage.note(stored.used).await;
    Ok(stored.viewer)
}

async fn api_token_viewer(state: &Authenticator<'_>, token: &str) -> ApiResult<Viewer> {
    let db = state.db;
    let invalid = || ApiError::unauthenticated("the API token is invalid, expired or revoked");
    let hash = secrets::hash(token);
    stored_credential(state, &hash, invalid, async {
        let row = ApiToken::find()
            .filter(api_token::Column::TokenHash.eq(hash.as_str()))
            .one(db)
            .await?
            .filter(|row| row.revoked_at.is_none())
            .ok_or_else(invalid)?;
        Ok(StoredCredential {
            viewer: Viewer::ApiToken(TokenViewer {
                id: row.id,
                scopes: scopes(db, row.id).await?,
                integration: None,
            }),
            expires_at: row.expires_at,
            used: Used::ApiToken(row.id),
        })
    })
    .await
}

/// The viewer of an integration's secret: live while the secret has not expired (a secret
/// rotated away works until its overlap ends) and the integration is not revoked. Nothing about
/// the person who made the integration is read: it does not depend on them.
async fn integration_viewer(state: &Authenticator<'_>, secret: &str) -> ApiResult<Viewer> {
    let db = state.db;
    let invalid =
        || ApiError::unauthenticated("the integration secret is invalid, expired or revoked");
    let hash = secrets::hash(secret);
    stored_credential(state, &hash, invalid, async {
        let (row, integration) = IntegrationSecret::find()
            .filter(integration_secret::Column::SecretHash.eq(hash.as_str()))
            .find_also_related(Integration)
            .one(db)
            .await?
            .ok_or_else(invalid)?;
        let integration = integration
            .filter(|integration| integration.revoked_at.is_none())
            .ok_or_else(invalid)?;
        // Read on their own, as a token's are: a scope no release granted is an error.
        let scopes = IntegrationScope::find()
            .select_only()
            .column(integration_scope::Column::Scope)
            .filter(integration_scope::Column::IntegrationId.eq(integration.id))
            .into_tuple::<ApiScope>()
            .all(db)
            .await?
            .into_iter()
            .collect();
        Ok(StoredCredential {
            viewer: Viewer::ApiToken(TokenViewer {
                id: row.id,
                scopes,
                integration: Some(IntegrationGrant {
                    id: integration.id,
                    organization_id: integration.organization_id,
                }),
            }),
            expires_at: row.expires_at,
            used: Used::IntegrationSecret(row.id),
        })
    })
    .await
}
