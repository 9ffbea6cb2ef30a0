//! GraphQL over HTTP at `/graphql`: POST and GET, media types, batches, body limits, GraphiQL.

use std::{sync::Arc, time::Instant};

use async_graphql::{
    BatchRequest, BatchResponse, Request as GqlRequest, ServerError, Variables,
    parser::{parse_query, types::OperationType},
};
use poem::{
    Body, Endpoint, IntoResponse, Request, Response, Result,
    http::{HeaderValue, Method, StatusCode, header},
};
use serde::Deserialize;

use crate::{
    auth::{
        cookie::{self, CookieAuthenticated},
        viewer::{Credential, authenticate},
    },
    client_address::ClientAddress,
    config::TrustedDocuments,
    documents::Prepared,
    error::{ApiError, code, set_code},
    limits::Premeasured,
    public_cache::{self, CachedResponse, chosen_operation},
    state::AppState,
};

/// The media type of GraphQL-over-HTTP responses.
const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";
const JSON: &str = "application/json";

/// The `/graphql` endpoint.
pub struct GraphqlEndpoint {
    state: AppState,
}

impl GraphqlEndpoint {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

impl Endpoint for GraphqlEndpoint {
    type Output = Response;

    async fn call(&self, mut req: Request) -> Result<Response> {
        let started = Instant::now();
        let response = match *req.method() {
            Method::GET => self.get(&req).await,
            Method::POST => self.post(&mut req).await,
            _ => refusal(
                StatusCode::METHOD_NOT_ALLOWED,
                MediaType::Json,
                "use GET for queries or POST for any operation",
            )
            .with_header(header::ALLOW, "GET, POST")
            .into_response(),
        };
        self.state
            .metrics
            .record_latency("/graphql", started.elapsed());
        Ok(response)
    }
}

/// The query-string parameters of a GET request.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetParams {
    query: Option<String>,
    operation_name: Option<String>,
    variables: Option<String>,
    extensions: Option<String>,
    document_id: Option<String>,
}

impl GraphqlEndpoint {
    async fn get(&self, req: &Request) -> Response {
        let accept = header_str(req, header::ACCEPT);
        let params = match req.params::<GetParams>() {
            Ok(params) => params,
            Err(_) => {
                let media = negotiate(accept).unwrap_or(MediaType::Json);
                return refusal(StatusCode::BAD_REQUEST, media, "malformed query string");
            }
        };
        if params.query.is_none()
            && params.document_id.is_none()
            && params.extensions.is_none()
            && self.state.config.graphiql
            && wants_html(accept)
        {
            return super::graphiql::page();
        }
        let Some(media) = negotiate(accept) else {
            return not_acceptable();
        };
        let mut request = GqlRequest::new(params.query.unwrap_or_default());
        request.operation_name = params.operation_name;
        if let Some(variables) = params.variables {
            match serde_json::from_str::<serde_json::Value>(&variables) {
                Ok(json) => request.variables = Variables::from_json(json),
                Err(_) => {
                    return refusal(
                        StatusCode::BAD_REQUEST,
                        media,
                        "the variables parameter is not JSON",
                    );
                }
            }
        }
        if let Some(extensions) = params.extensions {
            match serde_json::from_str(&extensions) {
                Ok(extensions) => request.extensions = extensions,
                Err(_) => {
                    return refusal(
                        StatusCode::BAD_REQUEST,
                        media,
                        "the extensions parameter is not JSON",
                    );
                }
            }
        }
        let (request, prepared) = match self.trusted(request, params.document_id, media).await {
            Ok(resolved) => resolved,
            Err(refused) => return refused,
        };
        let kind = match &prepared {
            Some(prepared) => {
                chosen_operation(&prepared.document, request.operation_name.as_deref())
                    .map(|operation| operation.node.ty)
            }
            None if request.query.is_empty() => {
                return refusal(
                    StatusCode::BAD_REQUEST,
                    media,
                    "the query parameter is missing",
                );
            }
            None => selected_operation(&request.query, request.operation_name.as_deref()),
        };
        if kind.is_some_and(|ty| ty != OperationType::Query) {
            // GET must be safe: a mutation or subscription over GET could be triggered by a
            // link or a prefetch.
            return refusal(
                StatusCode::METHOD_NOT_ALLOWED,
                media,
                "only queries may be sent with GET; send mutations with POST",
            )
            .with_header(header::ALLOW, "POST")
            .into_response();
        }
        self.execute(req, Batch::single(request, prepared), media)
            .await
    }

    async fn post(&self, req: &mut Request) -> Response {
        let Some(media) = negotiate(header_str(req, header::ACCEPT)) else {
            return not_acceptable();
        };
        let content_type = header_str(req, header::CONTENT_TYPE).unwrap_or_default();
        let essence = content_type.split(';').next().unwrap_or_default().trim();
        if !essence.eq_ignore_ascii_case(JSON) {
            return refusal(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                media,
                "send the request as application/json",
            );
        }
        let limit = self.state.config.body_limit;
        let declared = header_str(req, header::CONTENT_LENGTH).and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|length| length > limit as u64) {
            return too_large(media, limit);
        }
        // A chunked body declares no length: count it as it arrives.
        let body = match req.take_body().into_bytes_limit(limit).await {
            Ok(body) => body,
            Err(poem::error::ReadBodyError::PayloadTooLarge) => return too_large(media, limit),
            Err(_) => return refusal(StatusCode::BAD_REQUEST, media, "could not read the body"),
        };
        let batch = match serde_json::from_slice::<BatchRequest>(&body) {
            Ok(batch) => batch,
            Err(err) => {
                return refusal(
                    StatusCode::BAD_REQUEST,
                    media,
                    &format!("the body is not a GraphQL request: {err}"),
                );
            }
        };
        // `documentId` (GraphQL over HTTP's persisted documents) is read beside the request
        // that async-graphql reads, only when the body names one.
        let document_ids = if body.windows(12).any(|window| window == b"\"documentId\"") {
            match serde_json::from_slice::<DocumentIds>(&body) {
                Ok(DocumentIds::Single(one)) => vec![one.document_id],
                Ok(DocumentIds::Batch(many)) => {
                    many.into_iter().map(|one| one.document_id).collect()
                }
                Err(_) => Vec::new(),
            }
        } else {
            Vec::new()
        };
        let (requests, single) = match batch {
            BatchRequest::Single(request) => (vec![request], true),
            BatchRequest::Batch(requests) => {
                let max = self.state.config.batch_max;
                if max == 0 {
                    return refusal(
                        StatusCode::BAD_REQUEST,
                        media,
                        "this server does not accept batched requests",
                    );
                }
                if requests.len() > max {
                    return refusal(
                        StatusCode::BAD_REQUEST,
                        media,
                        &format!("a batch may hold at most {max} operations"),
                    );
                }
                (requests, false)
            }
        };
        let mut items = Vec::with_capacity(requests.len());
        let mut document_ids = document_ids.into_iter();
        for request in requests {
            let document_id = document_ids.next().flatten();
            let (request, prepared) = match self.trusted(request, document_id, media).await {
                Ok(resolved) => resolved,
                Err(refused) => return refused,
            };
            // A body without `query` (a typo, say) deserializes to an empty one: refuse it as
            // the malformed request it is rather than report a parse error in a document never
            // sent.
            if prepared.is_none() && request.query.trim().is_empty() {
                return refusal(
                    StatusCode::BAD_REQUEST,
                    media,
                    "the query parameter is missing",
                );
            }
            items.push((request, prepared));
        }
        self.execute(req, Batch { items, single }, media).await
    }

    /// Resolves a request's trusted document, named by `documentId` (`sha256:<hex>`) or by
    /// Apollo's `extensions.persistedQuery.sha256Hash`: the request then runs the registered
    /// text, parsed once. Refuses an unknown id (`PERSISTED_QUERY_NOT_FOUND`, in every mode but
    /// `off`) and, under `require`, a raw query (`PERSISTED_QUERY_REQUIRED`): both are request
    /// errors, 400 whatever the media type, since nothing could run.
    async fn trusted(
        &self,
        mut request: GqlRequest,
        document_id: Option<String>,
        media: MediaType,
    ) -> Result<(GqlRequest, Option<Arc<Prepared>>), Response> {
        let mode = self.state.config.trusted_documents;
        if mode == TrustedDocuments::Off {
            return Ok((request, None));
        }
        let apollo =
            request
                .extensions
                .0
                .get("persistedQuery")
                .and_then(|persisted| match persisted {
                    async_graphql::Value::Object(fields) => match fields.get("sha256Hash") {
                        Some(async_graphql::Value::String(hash)) => Some(hash.clone()),
                        _ => None,
                    },
                    _ => None,
                });
        let (hash, apollo_form) = match (document_id, apollo) {
            (Some(id), _) => match id.strip_prefix("sha256:") {
                Some(hash) => (hash.to_owned(), false),
                None => {
                    return Err(refusal(
                        StatusCode::BAD_REQUEST,
                        media,
                        "documentId must be `sha256:` followed by the document's SHA-256 in hex",
                    ));
                }
            },
            // Also as @graphql-codegen/client-preset embeds a document's hash, `sha256:<hex>`,
            // which urql's persisted exchange sends on unchanged.
            (None, Some(hash)) => match hash.strip_prefix("sha256:") {
                Some(hex) => (hex.to_owned(), true),
                None => (hash, true),
            },
            (None, None) => {
                if mode == TrustedDocuments::Require && !request.query.trim().is_empty() {
                    return Err(persisted_refusal(
                        media,
                        code::PERSISTED_QUERY_REQUIRED,
                        "This server runs only registered documents: send `documentId` \
                         (`sha256:<hex>`) instead of `query`, after registering the document \
                         with `quorum documents push`.",
                    ));
                }
                return Ok((request, None));
            }
        };
        request.extensions.0.remove("persistedQuery");
        let well_formed = hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit());
        let found = if well_formed {
            let hash = hash.to_ascii_lowercase();
            match self.state.documents.find(&self.state.db, &hash).await {
                Ok(found) => found,
                Err(err) => {
                    tracing::warn!(error = %err, "could not look up a trusted document");
                    let mut error =
                        ServerError::new("The service is unavailable; try again.", None);
                    set_code(&mut error, code::SERVICE_UNAVAILABLE);
                    return Err(json_response(
                        StatusCode::SERVICE_UNAVAILABLE,
                        media,
                        &serde_json::json!({ "errors": [error] }),
                    ));
                }
            }
        } else {
            None
        };
        match found {
            Some(prepared) => {
                request.query = prepared.text.clone();
                request.set_parsed_query(prepared.document.clone());
                let key = format!(
                    "{}\u{0}{}",
                    request.operation_name.as_deref().unwrap_or_default(),
                    serde_json::to_string(&request.variables).unwrap_or_default()
                );
                request = request.data(Premeasured {
                    measured: prepared.measured.clone(),
                    key,
                });
                self.state
                    .metrics
                    .record_document(&prepared.client, &prepared.id);
                Ok((request, Some(prepared)))
            }
            // Apollo's automatic persisted queries send the text after a miss: under `allow`
            // it runs as the raw query it is. Nothing is registered by a request.
            None if apollo_form
                && mode == TrustedDocuments::Allow
                && !request.query.trim().is_empty() =>
            {
                Ok((request, None))
            }
            // Apollo and urql clients recognize a miss by this exact message.
            None if apollo_form => Err(persisted_refusal(
                media,
                code::PERSISTED_QUERY_NOT_FOUND,
                "PersistedQueryNotFound",
            )),
            None => Err(persisted_refusal(
                media,
                code::PERSISTED_QUERY_NOT_FOUND,
                &format!(
                    "No document is registered as sha256:{hash}; register it with `quorum \
                     documents push`."
                ),
            )),
        }
    }

    async fn execute(&self, req: &Request, batch: Batch, media: MediaType) -> Response {
        let credential = Credential::of(req.headers(), &self.state.config);
        if let Some(refusal) = cross_site_refusal(req, &credential, media) {
            return refusal;
        }
        let Batch { mut items, single } = batch;
        let is_get = *req.method() == Method::GET;
        // A public read is answered from the cache when it can be, and fills it: an anonymous
        // one from any entry, one with a credential only from an entry public to everyone.
        let cache = &self.state.public_cache;
        let cacheable = match items.as_mut_slice() {
            [(request, _)] if single => public_cache::cacheable(request, media.as_str()),
            _ => None,
        };
        let anonymous = matches!(credential, Credential::None);
        if anonymous
            && let Some(cacheable) = &cacheable
            && let Some(hit) = cache.response(&cacheable.key)
        {
            return self.cached_answer(req, hit, media, is_get);
        }
        let stamp = cache.stamp();
        let viewer = match authenticate(&self.state.authenticator(), &credential).await {
            Ok(viewer) => viewer,
            Err(err) => {
                let mut response = unauthenticated(media, &err);
                // A cookie whose session ended is forgotten, so that the browser's next request
                // is anonymous instead of refused again.
                if credential.is_cookie() && response.status() == StatusCode::UNAUTHORIZED {
                    set_cookie(&mut response, &cookie::clear(&self.state.config));
                }
                return response;
            }
        };
        if !anonymous
            && let Some(cacheable) = &cacheable
            && cacheable.public_roots
            && viewer.admits(cacheable)
            && let Some(hit) = cache.response(&cacheable.key)
            && hit.public_max_age.is_some()
        {
            return self.cached_answer(req, hit, media, is_get);
        }
        let by_cookie = credential.is_cookie();
        let address = ClientAddress::of(req, self.state.config.trust_forwarded_for);
        let state = self.state.clone();
        let run = async move {
            let answer = |request: GqlRequest, prepared: Option<Arc<Prepared>>| {
                let query = prepared.is_none().then(|| request.query.clone());
                let operation = request.operation_name.clone();
                let mut request = state.request_data(request, viewer.clone(), address.clone());
                if by_cookie {
                    request = request.data(CookieAuthenticated);
                }
                let state = &state;
                async move {
                    let mut response = state.schema.execute(request).await;
                    if response.errors.iter().any(|error| !error.path.is_empty()) {
                        let parsed = match query {
                            Some(query) => parse_query(&query).ok(),
                            None => None,
                        };
                        if let Some(document) = parsed
                            .as_ref()
                            .or(prepared.as_ref().map(|prepared| &prepared.document))
                        {
                            state.shapes.bubble(
                                document,
                                operation.as_deref(),
                                &mut response.data,
                                &response.errors,
                            );
                        }
                    }
                    response
                }
            };
            let work = async {
                if single {
                    let Some((request, prepared)) = items.pop() else {
                        return BatchResponse::Batch(Vec::new());
                    };
                    BatchResponse::Single(answer(request, prepared).await)
                } else {
                    let mut responses = Vec::with_capacity(items.len());
                    for (request, prepared) in items {
                        responses.push(answer(request, prepared).await);
                    }
                    BatchResponse::Batch(responses)
                }
            };
            state.public_cache.scope(work).await
        };
        // The request runs as a task of its own, so that the time limit is kept by this task
        // whatever the request's own is doing, and the request is stopped (at its next await)
        // when the limit passes or the client goes away. The query limits, checked before
        // execution, bound the work between two awaits. Abandoning the request drops its
        // transaction, which rolls back.
        let task = Abandoned(tokio::spawn(run));
        let response = match tokio::time::timeout(self.state.config.request_timeout, task).await {
            Ok(Ok(response)) => response,
            Ok(Err(err)) => {
                tracing::error!(error = %err, "a request's task failed");
                let mut error = ServerError::new(crate::error::INTERNAL_MESSAGE, None);
                set_code(&mut error, code::INTERNAL_SERVER_ERROR);
                return json_response(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    media,
                    &serde_json::json!({ "errors": [error] }),
                );
            }
            Err(_) => {
                tracing::warn!(
                    limit_secs = self.state.config.request_timeout.as_secs(),
                    "a request ran past the time limit and was abandoned"
                );
                let mut error = ServerError::new("The request took too long; try again.", None);
                set_code(&mut error, code::SERVICE_UNAVAILABLE);
                return json_response(
                    StatusCode::SERVICE_UNAVAILABLE,
                    media,
                    &serde_json::json!({ "errors": [error] }),
                );
            }
        };
        let not_run = matches!(&response, BatchResponse::Single(single) if did_not_run(single));
        let status = match (&response, media) {
            // GraphQL over HTTP: with the new media type, a request that could not execute at
            // all (parse or validation failure, no runnable operation) is a 400, and its body
            // holds no `data`: there was no execution to have data.
            (BatchResponse::Single(single), MediaType::GraphqlResponse) if not_run => {
                return json_response(
                    StatusCode::BAD_REQUEST,
                    media,
                    &serde_json::json!({ "errors": single.errors }),
                );
            }
            // A request that names no runnable operation is malformed whatever the media type.
            // A document that does not parse or validate stays 200 with application/json, as
            // the spec asks of that media type (legacy clients read the body, not the status).
            (BatchResponse::Single(single), MediaType::Json)
                if not_run
                    && single
                        .errors
                        .iter()
                        .any(|error| crate::engine_errors::is_request_error(&error.message)) =>
            {
                StatusCode::BAD_REQUEST
            }
            _ => StatusCode::OK,
        };
        // A response that sets a cookie is one person's: it is never kept for the public.
        let personal =
            responses(&response).any(|single| single.http_headers.contains_key(header::SET_COOKIE));
        // What the cache hints say of the whole answer: public to everyone for `max-age`
        // seconds, or personal.
        let public_max_age = match (&response, &cacheable) {
            (BatchResponse::Single(single), Some(cacheable))
                if status == StatusCode::OK
                    && single.is_ok()
                    && !personal
                    && cacheable.public_roots
                    && single.cache_control.public
                    && single.cache_control.max_age > 0 =>
            {
                u32::try_from(single.cache_control.max_age).ok()
            }
            _ => None,
        };
        let keep = match &cacheable {
            // A public answer is kept for everyone; one the hints call personal is kept only
            // when an anonymous caller asked, for anonymous callers.
            Some(_) if public_max_age.is_some() => true,
            Some(_) => anonymous && status == StatusCode::OK && response.is_ok() && !personal,
            None => false,
        };
        let mut http = if keep || (is_get && public_max_age.is_some()) {
            match serde_json::to_vec(&response) {
                Ok(bytes) => {
                    let body = bytes::Bytes::from(bytes);
                    let entry = CachedResponse {
                        etag: entity_tag(&body),
                        body,
                        public_max_age,
                    };
                    if keep && let Some(cacheable) = cacheable {
                        cache.keep_response(cacheable.key, stamp, entry.clone());
                    }
                    let mut http = Response::builder()
                        .status(status)
                        .content_type(media.as_str())
                        .body(Body::from_bytes(entry.body.clone()));
                    if is_get {
                        http = caching_headers(req, http, &entry);
                    }
                    http
                }
                Err(_) => json_response(status, media, &response),
            }
        } else {
            json_response(status, media, &response)
        };
        if public_max_age.is_none() || !is_get {
            set_personal(&mut http);
        }
        // The headers resolvers set (a session cookie set or cleared), every value kept: a
        // batch may set several.
        for single in responses(&response) {
            for (name, value) in &single.http_headers {
                http.headers_mut().append(name, value.clone());
            }
        }
        if let Some(seconds) = retry_after(&response) {
            http.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        http
    }
}

/// The longest wait any `RATE_LIMITED` error in the response asks for, in seconds: the
/// `Retry-After` header, so that HTTP clients and proxies back off without reading the body.
fn retry_after(response: &BatchResponse) -> Option<u64> {
    responses(response)
        .flat_map(|single| &single.errors)
        .filter_map(|error| error.extensions.as_ref()?.get("retryAfterSeconds"))
        .filter_map(|seconds| match seconds {
            async_graphql::Value::Number(n) => n.as_u64(),
            _ => None,
        })
        .max()
}

impl GraphqlEndpoint {
    /// An answer from the cache, with its caching headers on a GET.
    fn cached_answer(
        &self,
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
}

/// The requests of one HTTP request, each with its trusted document when it names one.
struct Batch {
    items: Vec<(GqlRequest, Option<Arc<Prepared>>)>,
    /// A single request, not a batch of one.
    single: bool,
}

impl Batch {
    fn single(request: GqlRequest, prepared: Option<Arc<Prepared>>) -> Self {
        Self {
            items: vec![(request, prepared)],
            single: true,
        }
    }
}

/// The `documentId` of each request of a POST body.
#[derive(Deserialize)]
#[serde(untagged)]
enum DocumentIds {
    Single(DocumentIdOf),
    Batch(Vec<DocumentIdOf>),
}

#[derive(Deserialize)]
struct DocumentIdOf {
    #[serde(rename = "documentId")]
    document_id: Option<String>,
}

/// The headers that change a personal answer: the credential, and the media type asked for.
const PERSONAL_VARY: &str = "Accept, Authorization, Cookie, Quorum-CSRF";

/// Marks an answer as personal: no cache may keep it.
fn set_personal(http: &mut Response) {
    let headers = http.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    headers.insert(header::VARY, HeaderValue::from_static(PERSONAL_VARY));
}

/// The strong entity tag of a body: the start of its SHA-256, quoted.
fn entity_tag(body: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    format!("\"{}\"", &hex::encode(Sha256::digest(body))[..32])
}

/// A public GET answer's caching headers, or `304 Not Modified` when the client's
/// `If-None-Match` names its tag. The answer is the same whatever the credential, so only the
/// media type varies it.
fn caching_headers(req: &Request, http: Response, entry: &CachedResponse) -> Response {
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
fn persisted_refusal(media: MediaType, code: &'static str, message: &str) -> Response {
    let mut error = ServerError::new(message, None);
    set_code(&mut error, code);
    json_response(
        StatusCode::BAD_REQUEST,
        media,
        &serde_json::json!({ "errors": [error] }),
    )
}

/// The responses of a single request or of a batch.
fn responses(response: &BatchResponse) -> impl Iterator<Item = &async_graphql::Response> {
    match response {
        BatchResponse::Single(single) => std::slice::from_ref(single).iter(),
        BatchResponse::Batch(batch) => batch.iter(),
    }
}

/// A GET that the session cookie would authenticate, without the `Quorum-CSRF` header: refused
/// (403), never answered as anonymous, since a link or a form on another site could have sent
/// it. A POST needs nothing more: it must be `application/json`, which a cross-site form cannot
/// send, and `post` refuses anything else before this point.
fn cross_site_refusal(
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

fn set_cookie(response: &mut Response, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

/// A request's task, stopped when its handle is dropped: at the time limit, or when the
/// client goes away and the endpoint's future with it.
struct Abandoned<T>(tokio::task::JoinHandle<T>);

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
fn did_not_run(response: &async_graphql::Response) -> bool {
    response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|error| error.path.is_empty())
}

/// The response media types a client can ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum MediaType {
    GraphqlResponse,
    Json,
}

impl MediaType {
    fn as_str(self) -> &'static str {
        match self {
            Self::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
            Self::Json => "application/json; charset=utf-8",
        }
    }
}

/// Picks the response media type from `Accept`. No header means `application/json`, as legacy
/// clients expect; `None` means the client accepts neither.
fn negotiate(accept: Option<&str>) -> Option<MediaType> {
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

fn wants_html(accept: Option<&str>) -> bool {
    accept.is_some_and(|accept| accept.to_ascii_lowercase().contains("text/html"))
}

/// The type of the operation a document would run, when it can tell.
fn selected_operation(query: &str, operation_name: Option<&str>) -> Option<OperationType> {
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

fn header_str(req: &Request, name: header::HeaderName) -> Option<&str> {
    req.headers()
        .get(name)
        .and_then(|value| value.to_str().ok())
}

fn json_response(status: StatusCode, media: MediaType, body: &impl serde::Serialize) -> Response {
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
fn refusal(status: StatusCode, media: MediaType, message: &str) -> Response {
    let mut error = ServerError::new(crate::error::sentence(message), None);
    set_code(&mut error, code::BAD_USER_INPUT);
    json_response(status, media, &serde_json::json!({ "errors": [error] }))
}

/// A credential that is present but not valid: 401, never a silent fall back to anonymous.
fn unauthenticated(media: MediaType, err: &ApiError) -> Response {
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

fn too_large(media: MediaType, limit: usize) -> Response {
    refusal(
        StatusCode::PAYLOAD_TOO_LARGE,
        media,
        &format!("the request body is larger than {limit} bytes"),
    )
}

fn not_acceptable() -> Response {
    refusal(
        StatusCode::NOT_ACCEPTABLE,
        MediaType::Json,
        "accept application/graphql-response+json or application/json",
    )
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
