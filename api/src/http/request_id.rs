//! Gives every request an id, logs under it, and returns it as `X-Request-Id`.

use std::{sync::Arc, time::Instant};

use poem::{Endpoint, IntoResponse, Request, Response, Result, http::HeaderValue};
use tracing::Instrument;
use uuid::Uuid;

const HEADER: &str = "x-request-id";

/// Runs `next` inside a span that names the request, so that every log line it causes carries
/// the same `request_id`. A well-formed id from a proxy is kept; otherwise a new one is made.
pub async fn request_id<E: Endpoint>(next: Arc<E>, req: Request) -> Result<Response> {
    let id = req
        .headers()
        .get(HEADER)
        .and_then(|value| value.to_str().ok())
        .filter(|value| is_safe_id(value))
        .map_or_else(|| Uuid::new_v4().to_string(), str::to_owned);
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        method = %req.method(),
        path = %req.uri().path(),
    );
    async move {
        let started = Instant::now();
        let mut response = match next.call(req).await {
            Ok(output) => output.into_response(),
            Err(err) => err.into_response(),
        };
        tracing::info!(
            status = response.status().as_u16(),
            elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
            "request finished"
        );
        if let Ok(value) = HeaderValue::from_str(&id) {
            response.headers_mut().insert(HEADER, value);
        }
        Ok(response)
    }
    .instrument(span)
    .await
}

fn is_safe_id(value: &str) -> bool {
    (1..=64).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}
