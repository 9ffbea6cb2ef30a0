//! Access tokens: short-lived EdDSA JWTs, issued and verified as RFC 8725 advises.

use chrono::{Duration, Utc};
use jsonwebtoken::{Algorithm, Header, Validation, decode, decode_header, encode};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    auth::keys::SigningKeys,
    error::{ApiError, ApiResult},
};

/// Who issues access tokens, and for whom they are meant.
pub const ISSUER: &str = "quorum";
pub const AUDIENCE: &str = "quorum-api";
/// The explicit token type (RFC 9068), so no other JWT can pass for an access token.
pub const TYPE: &str = "at+jwt";
/// How long an access token lives.
pub const LIFETIME: Duration = Duration::minutes(15);

/// The claims of an access token. All are required.
#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    /// The account.
    pub sub: Uuid,
    pub exp: i64,
    pub iat: i64,
    /// Not before: Quorum never sets it, but a token that carries one is not valid before it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    pub jti: Uuid,
    /// The session the token belongs to; revoking the session stops the token.
    pub sid: Uuid,
}

/// Signs an access token for `account` in `session`.
pub fn issue(keys: &SigningKeys, account: Uuid, session: Uuid) -> ApiResult<String> {
    let now = Utc::now();
    let claims = Claims {
        iss: ISSUER.to_owned(),
        aud: AUDIENCE.to_owned(),
        sub: account,
        exp: (now + LIFETIME).timestamp(),
        iat: now.timestamp(),
        nbf: None,
        jti: Uuid::new_v4(),
        sid: session,
    };
    let mut header = Header::new(Algorithm::EdDSA);
    header.typ = Some(TYPE.to_owned());
    header.kid = Some(keys.kid.clone());
    encode(&header, &claims, &keys.encoding).map_err(ApiError::internal)
}

/// Verifies an access token: the pinned algorithm, type, signature, issuer, audience, expiry and
/// not-before; and that it was issued in the past for at most [`LIFETIME`], so that a token
/// minted with a far expiry (by a leaked key, or a future bug) does not outlive the rule.
/// Every failure is the same `UNAUTHENTICATED`, so a forger learns nothing.
pub fn verify(keys: &SigningKeys, token: &str) -> ApiResult<Claims> {
    let invalid = || ApiError::unauthenticated("the access token is invalid or expired");
    let header = decode_header(token).map_err(|_| invalid())?;
    if header.alg != Algorithm::EdDSA || header.typ.as_deref() != Some(TYPE) {
        return Err(invalid());
    }
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.set_issuer(&[ISSUER]);
    validation.set_audience(&[AUDIENCE]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    validation.leeway = LEEWAY_SECS;
    validation.validate_nbf = true;
    let claims = decode::<Claims>(token, &keys.decoding, &validation)
        .map(|data| data.claims)
        .map_err(|_| invalid())?;
    let now = Utc::now().timestamp();
    let leeway = i64::try_from(LEEWAY_SECS).unwrap_or(0);
    if claims.iat > now + leeway || claims.exp - claims.iat > LIFETIME.num_seconds() + leeway {
        return Err(invalid());
    }
    Ok(claims)
}

/// Clock skew tolerated between replicas, in seconds.
const LEEWAY_SECS: u64 = 5;
