//! The witness's HTTP surface (`quorum witness serve`), C2SP tlog-witness: `POST /add-checkpoint`
//! and `GET /<hex SHA-256 of origin>/checkpoint`. The rules are in `log/witness.rs`.

use std::sync::Arc;

use poem::{
    Endpoint, EndpointExt, Response, Route, handler,
    http::{StatusCode, header},
    web::{Data, Path},
};

use crate::log::witness::{Answer, Witness};

/// The largest request body: 63 proof lines and a checkpoint with many signatures.
const BODY_LIMIT: usize = 64 * 1024;

/// The witness's routes.
pub fn app(witness: Arc<Witness>) -> impl Endpoint {
    Route::new()
        .at("/add-checkpoint", poem::post(add_checkpoint))
        .at("/:origin_hash/checkpoint", poem::get(checkpoint))
        .data(witness)
}

fn respond(answer: Answer) -> Response {
    Response::builder()
        .status(StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header(header::CONTENT_TYPE, answer.content_type)
        .header(header::CACHE_CONTROL, "no-store")
        .body(answer.body)
}

/// `POST /add-checkpoint`
#[handler]
async fn add_checkpoint(witness: Data<&Arc<Witness>>, body: poem::Body) -> Response {
    let bytes = match body.into_bytes_limit(BODY_LIMIT).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return respond(Answer {
                status: 413,
                content_type: "text/plain; charset=utf-8",
                body: "the request is too large\n".to_owned(),
            });
        }
    };
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return respond(Answer {
            status: 400,
            content_type: "text/plain; charset=utf-8",
            body: "the request is not UTF-8\n".to_owned(),
        });
    };
    let now = u64::try_from(chrono::Utc::now().timestamp()).unwrap_or(1);
    respond(witness.add_checkpoint(text, now).await)
}

/// `GET /<origin hash>/checkpoint`
#[handler]
async fn checkpoint(witness: Data<&Arc<Witness>>, Path(origin_hash): Path<String>) -> Response {
    respond(witness.checkpoint(&origin_hash).await)
}
