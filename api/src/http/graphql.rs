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
    error::{code, set_code},
    limits::Premeasured,
    public_cache::{self, CachedResponse, chosen_operation},
    state::AppState,
};

mod answers;
mod batch;

use answers::*;
use batch::{Batch, DocumentIds};

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
            return cached_answer(req, hit, media, is_get);
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
            return cached_answer(req, hit, media, is_get);
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
