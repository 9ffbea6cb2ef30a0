//! Cross-origin access: preflights answered for the origins [`Config::allows_origin`] accepts,
//! and same-origin requests let through untouched.
//!
//! Browsers send `Origin` on every POST, their own pages' included, so a plain CORS filter
//! would refuse the built-in GraphiQL as soon as origins are configured. A request whose
//! `Origin` names the host it was sent to is same-origin and needs no CORS at all.

use std::sync::Arc;

use poem::{
    Endpoint, IntoResponse, Middleware, Request, Response, Result,
    http::header,
    middleware::{Cors, CorsEndpoint},
};

use crate::config::Config;

/// The CORS middleware for `config`.
pub struct CrossOrigin {
    cors: Cors,
}

impl CrossOrigin {
    pub fn new(config: Arc<Config>) -> Self {
        let cors = Cors::new()
            .allow_origins_fn(move |origin| config.allows_origin(origin))
            .allow_methods(["GET", "POST", "OPTIONS"])
            .allow_headers([
                "accept",
                "authorization",
                "content-type",
                "x-request-id",
                crate::auth::cookie::CSRF_HEADER,
            ])
            // A listed origin's page may send the session cookie (`credentials: "include"`).
            .allow_credentials(true)
            .expose_headers(["etag", "x-request-id"])
            .max_age(600);
        Self { cors }
    }
}

impl<E: Endpoint> Middleware<E> for CrossOrigin {
    type Output = CrossOriginEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        let inner = Arc::new(ep);
        CrossOriginEndpoint {
            cors: self.cors.transform(inner.clone()),
            inner,
        }
    }
}

pub struct CrossOriginEndpoint<E> {
    inner: Arc<E>,
    cors: CorsEndpoint<Arc<E>>,
}

impl<E: Endpoint> Endpoint for CrossOriginEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Response> {
        if is_same_origin(&req) {
            self.inner.call(req).await.map(IntoResponse::into_response)
        } else {
            self.cors.call(req).await
        }
    }
}

/// Whether the page that sent `req` is one this server serves or allows: same-origin (or no
/// `Origin`: not a browser) or an origin [`Config::allows_origin`] accepts.
pub fn origin_allowed(req: &Request, config: &Config) -> bool {
    is_same_origin(req)
        || req
            .headers()
            .get(header::ORIGIN)
            .and_then(|origin| origin.to_str().ok())
            .is_some_and(|origin| config.allows_origin(origin))
}

/// No `Origin` (not a browser's cross-origin request), or an `Origin` whose host and port are
/// the `Host` the request was sent to. The scheme is not compared: behind a TLS-terminating
/// proxy the page is `https` while this server sees `http`.
fn is_same_origin(req: &Request) -> bool {
    let Some(origin) = req.headers().get(header::ORIGIN) else {
        return true;
    };
    // HTTP/2 sends the host as the URI's authority instead of a `Host` header.
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|host| host.to_str().ok())
        .or_else(|| req.uri().authority().map(|authority| authority.as_str()));
    let authority = origin.to_str().ok().and_then(|origin| {
        origin
            .strip_prefix("https://")
            .or_else(|| origin.strip_prefix("http://"))
    });
    matches!((authority, host), (Some(authority), Some(host)) if authority.eq_ignore_ascii_case(host))
}
