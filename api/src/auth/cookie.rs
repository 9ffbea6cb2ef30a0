//! The session cookie of a first-party frontend: its name and attributes, reading it from a
//! request, and the `Set-Cookie` values that set and clear it.
//!
//! The cookie carries an opaque credential, 256 random bits kept on the session row as their
//! SHA-256 only, like a refresh token. It is `HttpOnly` (no script reads it), `SameSite=Lax` (a
//! cross-site subrequest does not carry it) and `Path=/`; outside development it is also
//! `Secure` and named with the `__Host-` prefix, so that only this host, over https, can set it.
//! Because a browser sends it on its own, a request it authenticates must also carry what a
//! cross-site form cannot send: POST requires `Content-Type: application/json` anyway, and a GET
//! needs the `Quorum-CSRF` header (`http/graphql.rs`). The WebSocket endpoint accepts it only
//! from the origins this server allows (`http/ws.rs`).

use chrono::Duration;
use poem::http::{HeaderMap, header};

use crate::config::Config;

/// How long a cookie session lasts from log-in. It does not slide: a request never writes to
/// extend it, and a stolen cookie is worth nothing after this, however much it is used.
pub const LIFETIME: Duration = Duration::days(14);

/// Cookie credentials carry a prefix of their own, distinct from refresh and API tokens.
pub const PREFIX: &str = "qrc_";

/// The header a GET authenticated by the cookie must carry, with any non-empty value: a page
/// on another site cannot send it without the server's CORS consent.
pub const CSRF_HEADER: &str = "quorum-csrf";

/// The cookie's name where it is `Secure`: the `__Host-` prefix makes browsers refuse it from a
/// sibling subdomain or without https.
const SECURE_NAME: &str = "__Host-quorum_session";
/// The cookie's name in development, served over plain http, where `__Host-` is refused.
const PLAIN_NAME: &str = "quorum_session";

/// Marks a GraphQL request that the session cookie authenticated, so that logging out knows to
/// clear it.
#[derive(Clone, Copy, Debug)]
pub struct CookieAuthenticated;

/// Whether the cookie is `Secure`: everywhere but development.
fn secure(config: &Config) -> bool {
    config.is_production()
}

/// The cookie's name under `config`.
pub fn name(config: &Config) -> &'static str {
    if secure(config) {
        SECURE_NAME
    } else {
        PLAIN_NAME
    }
}

/// The session cookie's value in a request's `Cookie` headers, if it carries one. The first of
/// several wins, as browsers send the most specific first.
pub fn read<'a>(headers: &'a HeaderMap, config: &Config) -> Option<&'a str> {
    let wanted = name(config);
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == wanted)
        .map(|(_, value)| value.trim_matches('"'))
        .filter(|value| !value.is_empty())
}

/// The `Set-Cookie` value that hands `credential` to the browser for [`LIFETIME`].
pub fn set(config: &Config, credential: &str) -> String {
    attributes(config, credential, LIFETIME.num_seconds())
}

/// The `Set-Cookie` value that makes the browser forget the cookie.
pub fn clear(config: &Config) -> String {
    attributes(config, "", 0)
}

fn attributes(config: &Config, value: &str, max_age: i64) -> String {
    let secure = if secure(config) { "; Secure" } else { "" };
    format!(
        "{}={value}; Max-Age={max_age}; Path=/; HttpOnly; SameSite=Lax{secure}",
        name(config)
    )
}

#[cfg(test)]
mod tests {
    use poem::http::HeaderValue;

    use super::*;

    fn headers(cookies: &[&'static str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for cookie in cookies {
            headers.append(header::COOKIE, HeaderValue::from_static(cookie));
        }
        headers
    }

    #[test]
    fn the_cookie_is_found_among_others_by_its_exact_name() {
        let config = Config::default();
        let sent = headers(&[
            "theme=dark; quorum_session_old=x",
            "quorum_session=qrc_abc; a=b",
        ]);
        assert_eq!(read(&sent, &config), Some("qrc_abc"));
        assert_eq!(read(&headers(&["quorum_session="]), &config), None);
        assert_eq!(read(&headers(&["__Host-quorum_session=x"]), &config), None);
    }

    #[test]
    fn production_sets_a_secure_host_only_cookie() {
        let production = Config {
            environment: crate::config::Environment::Production,
            ..Config::default()
        };
        assert_eq!(
            set(&production, "qrc_abc"),
            "__Host-quorum_session=qrc_abc; Max-Age=1209600; Path=/; HttpOnly; SameSite=Lax; Secure"
        );
        assert_eq!(
            clear(&Config::default()),
            "quorum_session=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax"
        );
    }
}
