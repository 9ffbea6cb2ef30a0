//! Endpoints for operators: liveness, readiness and Prometheus metrics.

use std::time::Duration;

use poem::{IntoResponse, Response, handler, http::StatusCode, web::Data};

use crate::{db, notifications, public_cache::Listener, state::AppState};

/// How long `/ready` waits for the database before calling it unreachable.
const READY_TIMEOUT: Duration = Duration::from_secs(2);

/// `GET /health`: 200 while the process lives.
#[handler]
pub fn health() -> &'static str {
    "ok"
}

/// `GET /ready`: 200 while the database answers, 503 otherwise. While the replica does not
/// hear the other replicas' changes (its public-cache `LISTEN` connection is down, or its
/// heartbeat is overdue) it is still ready, since it answers correctly from the database, but
/// says `degraded` and why: taking every replica out of service because PostgreSQL is slow to
/// deliver notifications would turn a slower public read into an outage.
#[handler]
pub async fn ready(state: Data<&AppState>) -> Response {
    match tokio::time::timeout(READY_TIMEOUT, state.db.ping()).await {
        Ok(Ok(())) => match state.public_cache.listener() {
            Listener::NotNeeded | Listener::Hearing => "ready".into_response(),
            Listener::Disconnected => {
                "ready, degraded: the public-change LISTEN connection is down; public reads go to the database"
                    .into_response()
            }
            Listener::Overdue => {
                "ready, degraded: the public-change LISTEN heartbeat is overdue; public reads go to the database"
                    .into_response()
            }
        },
        Ok(Err(err)) => {
            tracing::warn!(error = %err, "readiness check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
        }
        Err(_) => {
            tracing::warn!("readiness check: database did not answer in time");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "database did not answer in time",
            )
                .into_response()
        }
    }
}

/// `GET /metrics`: Prometheus text format, for the scraper that presents
/// `QUORUM_METRICS_TOKEN`. Without a token configured, development serves it to anyone and
/// production to no one: it tells an outsider the load, the backlog and the error rates.
#[handler]
pub async fn metrics(state: Data<&AppState>, req: &poem::Request) -> Response {
    let presented = req
        .headers()
        .get(poem::http::header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "));
    let allowed = match (&state.config.metrics_token, presented) {
        (Some(token), Some(presented)) => {
            crate::auth::secrets::same(token.0.as_bytes(), presented.as_bytes())
        }
        (Some(_), None) => false,
        (None, _) => !state.config.is_production(),
    };
    if !allowed {
        return if state.config.metrics_token.is_some() {
            Response::builder()
                .status(StatusCode::UNAUTHORIZED)
                .header("www-authenticate", "Bearer")
                .body("a bearer token is required")
        } else {
            StatusCode::NOT_FOUND.into_response()
        };
    }
    // The outbox lives in the database, so every replica reports the same backlog.
    match tokio::time::timeout(READY_TIMEOUT, notifications::stats::depth(&state.db)).await {
        Ok(Ok(depth)) => {
            let now = chrono::Utc::now();
            let age = |oldest: Option<chrono::DateTime<chrono::Utc>>| {
                oldest.map_or(0.0, |at| (now - at).as_seconds_f64())
            };
            state.metrics.set_backlog(
                "webhook",
                depth.webhooks.pending,
                age(depth.webhooks.oldest),
            );
            state
                .metrics
                .set_backlog("email", depth.email.pending, age(depth.email.oldest));
        }
        Ok(Err(err)) => tracing::warn!(error = %err, "metrics: cannot read the outbox"),
        Err(_) => tracing::warn!("metrics: the outbox did not answer in time"),
    }
    let cache = &state.public_cache;
    state.metrics.set_public_listener(
        cache.listener().healthy(),
        cache.heartbeat_age(),
        cache.listener_stalls(),
    );
    match state.metrics.render(db::pool_usage(&state.db)) {
        Ok(text) => Response::builder()
            .content_type("text/plain; version=0.0.4; charset=utf-8")
            .body(text),
        Err(err) => {
            tracing::error!(error = %err, "could not render metrics");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// `GET /.well-known/jwks.json`: the public key that verifies access tokens.
#[handler]
pub fn jwks(state: Data<&AppState>) -> Response {
    Response::builder()
        .content_type("application/jwk-set+json")
        .header("cache-control", "public, max-age=300")
        .body(state.keys.jwks().to_string())
}
