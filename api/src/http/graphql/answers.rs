//! What `/graphql` answers besides a result: media types and their negotiation, refusals
//! (unauthenticated, cross-site, too large, not acceptable, persisted documents), the caching
//! headers of a public answer and the `private, no-store` of a personal one, the session cookie,
//! and a request the client abandoned.

use async_graphql::{
    BatchResponse, ServerError,
    parser::{parse_query, types::OperationType},
};
use poem::{
    Body, IntoResponse, Request, Response, Result,
    http::{HeaderValue, Method, StatusCode, header},
};

use crate::{
    auth::{cookie, viewer::Credential},
    error::{ApiError, code, set_code},
    public_cache::CachedResponse,
};

/// The media type of GraphQL-over-HTTP responses.
pub(super) const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";
pub(super) const JSON: &str = "application/json";

/// The headers that change a personal answer: the credential, and the media type asked for.
pub(super) const PERSONAL_VARY: &str = "Accept, Authorization, Cookie, Quorum-CSRF";

/// Marks an answer as personal: no cache may keep it.
pub(super) fn set_personal(http: &mut Response) {
    let headers = http.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    headers.insert(header::VARY, HeaderValue::from_static(PERSONAL_VARY));
}

/// The strong entity tag of a body: the start of its SHA-256, quoted.
pub(super) fn entity_tag(body: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    format!("\"{}\"", &hex::encode(Sha256::digest(body))[..32])
}

/// A public GET answer's caching headers, or `304 Not Modified` when the client's
/// `If-None-Match` names its tag. The answer is the same whatever the credential, so only the
/// media type varies it.
pub(super) fn caching_headers(req: &Request, http: Response, entry: &CachedResponse) -> Response {
    let max_age = entry.public_max_age.unwrap_or_default();
    let matches = req
        .headers()
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .any(|tag| tag == "*" || tag.trim_start_matches("W/") == entry.etag);
    let mut http = if matches {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        http
    };
    let headers = http.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&format!("public, max-age={max_age}")) {
        headers.insert(header::CACHE_CONTROL, value);
    }
    if let Ok(value) = HeaderValue::from_str(&entry.etag) {
        headers.insert(header::ETAG, value);
    }
    headers.insert(header::VARY, HeaderValue::from_static("Accept"));
    http
}

/// A request naming a trusted document that cannot run: a request error, 400.
pub(super) fn persisted_refusal(media: MediaType, code: &'static str, message: &str) -> Response {
    let mut error = ServerError::new(message, None);
    set_code(&mut error, code);
    json_response(
        StatusCode::BAD_REQUEST,
        media,
        &serde_json::json!({ "errors": [error] }),
    )
}

/// The responses of a single request or of a batch.
pub(super) fn responses(
    response: &BatchResponse,
) -> impl Iterator<Item = &async_graphql::Response> {
    match response {
        BatchResponse::Single(single) => std::slice::from_ref(single).iter(),
        BatchResponse::Batch(batch) => batch.iter(),
    }
}

/// A GET that the session cookie would authenticate, without the `Quorum-CSRF` header: refused
/// (403), never answered as anonymous, since a link or a form on another site could have sent
/// it. A POST needs nothing more: it must be `application/json`, which a cross-site form cannot
/// send, and `post` refuses anything else before this point.
pub(super) fn cross_site_refusal(
    req: &Request,
    credential: &Credential,
    media: MediaType,
) -> Option<Response> {
    let marked = req
        .headers()
        .get(cookie::CSRF_HEADER)
        .is_some_and(|value| !value.as_bytes().trim_ascii().is_empty());
    if !credential.is_cookie() || *req.method() != Method::GET || marked {
        return None;
    }
    let mut error = ServerError::new(
        "A GET authenticated by the session cookie must carry a Quorum-CSRF header (any value), \
         which a page on another site cannot send; or send the request as a POST with \
         Content-Type: application/json.",
        None,
    );
    set_code(&mut error, code::FORBIDDEN);
    Some(json_response(
        StatusCode::FORBIDDEN,
        media,
        &serde_json::json!({ "errors": [error] }),
    ))
}

pub(super) fn set_cookie(response: &mut Response, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

/// A request's task, stopped when its handle is dropped: at the time limit, or when the
/// client goes away and the endpoint's future with it.
pub(super) struct Abandoned<T>(pub(super) tokio::task::JoinHandle<T>);

impl<T> Future for Abandoned<T> {
    type Output = Result<T, tokio::task::JoinError>;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        std::pin::Pin::new(&mut self.0).poll(cx)
    }
}

impl<T> Drop for Abandoned<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Whether a response is that of a request refused before execution: no data, and errors that
/// belong to no field. An error in a non-null root field also nulls `data`, but carries a path.
pub(super) fn did_not_run(response: &async_graphql::Response) -> bool {
    response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|error| error.path.is_empty())
}

/// The response media types a client can ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum MediaType {
    GraphqlResponse,
    Json,
}

impl MediaType {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Self::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
            Self::Json => "application/json; charset=utf-8",
        }
    }
}

/// Picks the response media type from `Accept`. No header means `application/json`, as legacy
/// clients expect; `None` means the client accepts neither.
pub(super) fn negotiate(accept: Option<&str>) -> Option<MediaType> {
    let Some(accept) = accept.filter(|a| !a.trim().is_empty()) else {
        return Some(MediaType::Json);
    };
    // The best (specificity, quality) of the ranges that match `wanted`.
    let quality = |wanted: &str| -> (u8, f32) {
        let (wanted_type, _) = wanted.split_once('/').unwrap_or((wanted, ""));
        let mut best = (0, 0.0);
        for range in accept.split(',') {
            let mut parts = range.split(';');
            let media = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let specificity = if media == wanted {
                3
            } else if media == format!("{wanted_type}/*") {
                2
            } else if media == "*/*" {
                1
            } else {
                continue;
            };
            if specificity > best.0 {
                best = (specificity, q);
            }
        }
        best
    };
    let (new_specificity, new) = quality(GRAPHQL_RESPONSE_JSON);
    let (_, legacy) = quality(JSON);
    // The new media type is chosen when asked for by name; a wildcard keeps the legacy one,
    // which is what `curl` and older clients expect.
    if new > 0.0 && new_specificity == 3 && new >= legacy {
        Some(MediaType::GraphqlResponse)
    } else if legacy > 0.0 {
        Some(MediaType::Json)
    } else if new > 0.0 {
        Some(MediaType::GraphqlResponse)
    } else {
        None
    }
}

pub(super) fn wants_html(accept: Option<&str>) -> bool {
    accept.is_some_and(|accept| accept.to_ascii_lowercase().contains("text/html"))
}

/// The type of the operation a document would run, when it can tell.
pub(super) fn selected_operation(
    query: &str,
    operation_name: Option<&str>,
) -> Option<OperationType> {
    let document = parse_query(query).ok()?;
    let mut operations = document.operations.iter();
    match operation_name {
        Some(name) => operations
            .find(|(op_name, _)| op_name.is_some_and(|n| n.as_str() == name))
            .map(|(_, op)| op.node.ty),
        None => {
            let (_, first) = operations.next()?;
            operations.next().is_none().then_some(first.node.ty)
        }
    }
}

pub(super) fn header_str(req: &Request, name: header::HeaderName) -> Option<&str> {
    req.headers()
        .get(name)
        .and_then(|value| value.to_str().ok())
}

pub(super) fn json_response(
    status: StatusCode,
    media: MediaType,
    body: &impl serde::Serialize,
) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => Response::builder()
            .status(status)
            .content_type(media.as_str())
            .body(Body::from_vec(bytes)),
        Err(err) => {
            tracing::error!(error = %err, "could not serialize a GraphQL response");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// A request refused before execution, as a GraphQL error body.
pub(super) fn refusal(status: StatusCode, media: MediaType, message: &str) -> Response {
    let mut error = ServerError::new(crate::error::sentence(message), None);
    set_code(&mut error, code::BAD_USER_INPUT);
    json_response(status, media, &serde_json::json!({ "errors": [error] }))
}

/// A credential that is present but not valid: 401, never a silent fall back to anonymous.
pub(super) fn unauthenticated(media: MediaType, err: &ApiError) -> Response {
    let mut error = ServerError::new(crate::error::sentence(&err.to_string()), None);
    let code = match err {
        ApiError::Internal(cause) => {
            tracing::error!(error = %cause, "authentication failed on an internal error");
            error.message = crate::error::INTERNAL_MESSAGE.to_owned();
            code::INTERNAL_SERVER_ERROR
        }
        ApiError::Unavailable(cause) => {
            tracing::warn!(error = %cause, "authentication failed: the database is out of reach");
            code::SERVICE_UNAVAILABLE
        }
        other => other.code(),
    };
    set_code(&mut error, code);
    let status = match code {
        code::UNAUTHENTICATED => StatusCode::UNAUTHORIZED,
        code::SERVICE_UNAVAILABLE => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    let mut response = json_response(status, media, &serde_json::json!({ "errors": [error] }));
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer error=\"invalid_token\""),
        );
    }
    response
}

pub(super) fn too_large(media: MediaType, limit: usize) -> Response {
    refusal(
        StatusCode::PAYLOAD_TOO_LARGE,
        media,
        &format!("the request body is larger than {limit} bytes"),
    )
}

pub(super) fn not_acceptable() -> Response {
    refusal(
        StatusCode::NOT_ACCEPTABLE,
        MediaType::Json,
        "accept application/graphql-response+json or application/json",
    )
}

/// The longest wait any `RATE_LIMITED` error in the response asks for, in seconds: the
/// `Retry-After` header, so that HTTP clients and proxies back off without reading the body.
pub(super) fn retry_after(response: &BatchResponse) -> Option<u64> {
    responses(response)
        .flat_map(|single| &single.errors)
        .filter_map(|error| error.extensions.as_ref()?.get("retryAfterSeconds"))
        .filter_map(|seconds| match seconds {
            async_graphql::Value::Number(n) => n.as_u64(),
            _ => None,
        })
        .max()
}

/// An answer from the cache, with its caching headers on a GET.
pub(super) fn cached_answer(
    req: &Request,
    hit: CachedResponse,
    media: MediaType,
    is_get: bool,
) -> Response {
    let mut http = Response::builder()
        .content_type(media.as_str())
        .body(Body::from_bytes(hit.body.clone()));
    if is_get && hit.public_max_age.is_some() {
        http = caching_headers(req, http, &hit);
    } else {
        set_personal(&mut http);
    }
    http
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_picks_the_best_media_type() {
        assert_eq!(negotiate(None), Some(MediaType::Json));
        assert_eq!(negotiate(Some("*/*")), Some(MediaType::Json));
        assert_eq!(negotiate(Some("application/json")), Some(MediaType::Json));
        assert_eq!(
            negotiate(Some(
                "application/graphql-response+json, application/json;q=0.9"
            )),
            Some(MediaType::GraphqlResponse)
        );
        assert_eq!(
            negotiate(Some(
                "application/graphql-response+json;q=0.5, application/json"
            )),
            Some(MediaType::Json)
        );
        assert_eq!(negotiate(Some("text/plain")), None);
    }

    #[test]
    fn a_get_can_tell_a_mutation_from_a_query() {
        assert_eq!(
            selected_operation("{ a }", None),
            Some(OperationType::Query)
        );
        assert_eq!(
            selected_operation("mutation M { a }", None),
            Some(OperationType::Mutation)
        );
        assert_eq!(
            selected_operation("query Q { a } mutation M { a }", Some("M")),
            Some(OperationType::Mutation)
        );
        assert_eq!(
            selected_operation("query Q { a } mutation M { a }", None),
            None
        );
    }
}
