//! The Merkle tree log over plain HTTP, for tools that do not speak GraphQL (`verify-log`,
//! witnesses, monitors, a short script): the signed checkpoint, the verifier key and proofs.
//!
//! - `GET /log/checkpoint`: the latest C2SP signed checkpoint, `text/plain`, with the witnesses'
//!   cosignature lines it has so far after the log's signature.
//! - `GET /log/key`: the note verifier key of the log's signing key, `text/plain`.
//! - `GET /log/proof/inclusion?index=N&size=M`: `{ leafIndex, treeSize, hashes }`, the hashes
//!   base64, bottom first; `size` must be the size of a signed checkpoint (default the latest).
//! - `GET /log/proof/consistency?from=M&to=N`: `{ fromSize, toSize, hashes }`.
//!
//! Proofs by leaf index are public: their hashes say nothing of any entry's content (leaves are
//! hashes of bytes holding random ids). Which entry is which leaf is only told to those who may
//! read the entry (`AuditEvent.leafIndex`, `auditInclusionProof`).

use base64::{Engine, engine::general_purpose::STANDARD};
use poem::{
    IntoResponse, Request, Response, handler,
    http::{StatusCode, header},
    web::Data,
};

use crate::{
    error::ApiError,
    log::{cosigning, sealer::LogSigner, store},
    state::AppState,
};

fn text(status: StatusCode, body: String) -> Response {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-cache")
        .body(body)
}

fn json(body: serde_json::Value) -> Response {
    Response::builder()
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CACHE_CONTROL, "no-cache")
        .body(body.to_string())
}

fn failed(err: &ApiError) -> Response {
    match err.code() {
        "BAD_USER_INPUT" => text(StatusCode::BAD_REQUEST, format!("{err}\n")),
        _ => {
            tracing::error!(error = %err, "a log endpoint failed");
            text(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the log could not be read\n".to_owned(),
            )
        }
    }
}

/// The query parameter `name`, as a number; `Err` names it when it is not one.
fn number(req: &Request, name: &str) -> Result<Option<u64>, String> {
    let Some(query) = req.uri().query() else {
        return Ok(None);
    };
    for pair in query.split('&') {
        if let Some((param, value)) = pair.split_once('=')
            && param == name
        {
            return value
                .parse()
                .map(Some)
                .map_err(|_| format!("{name} must be a whole number\n"));
        }
    }
    Ok(None)
}

/// `GET /log/checkpoint`
#[handler]
pub async fn latest_checkpoint(state: Data<&AppState>) -> Response {
    match cosigning::latest(&state.db).await {
        Ok(Some(served)) => text(StatusCode::OK, served.note),
        Ok(None) => text(
            StatusCode::NOT_FOUND,
            "no checkpoint has been signed yet\n".to_owned(),
        ),
        Err(err) => failed(&err),
    }
}

/// `GET /log/key`
#[handler]
pub async fn verifier_key(state: Data<&AppState>) -> Response {
    let signer = LogSigner::new(state.config.log_origin(), state.keys.clone());
    text(StatusCode::OK, format!("{}\n", signer.verifier_key()))
}

/// `GET /log/proof/inclusion?index=N&size=M`
#[handler]
pub async fn inclusion(req: &Request, state: Data<&AppState>) -> Response {
    let (index, size) = match (number(req, "index"), number(req, "size")) {
        (Ok(Some(index)), Ok(size)) => (index, size),
        (Ok(None), _) => return text(StatusCode::BAD_REQUEST, "index is required\n".to_owned()),
        (Err(message), _) | (_, Err(message)) => {
            return text(StatusCode::BAD_REQUEST, message);
        }
    };
    let checkpoint = match size {
        None => store::latest(&state.db).await,
        Some(size) => store::at(&state.db, size).await,
    };
    let row = match checkpoint {
        Ok(Some(row)) => row,
        Ok(None) => {
            return text(
                StatusCode::BAD_REQUEST,
                "size: no checkpoint was signed at this size\n".to_owned(),
            );
        }
        Err(err) => return failed(&err),
    };
    let size = row.size as u64;
    match store::inclusion(&state.db, index, size).await {
        Ok(hashes) => json(serde_json::json!({
            "leafIndex": index,
            "treeSize": size,
            "hashes": hashes.iter().map(|h| STANDARD.encode(h)).collect::<Vec<_>>(),
        })),
        Err(err) => failed(&err),
    }
}

/// `GET /log/proof/consistency?from=M&to=N`
#[handler]
pub async fn consistency(req: &Request, state: Data<&AppState>) -> Response {
    let (from, to) = match (number(req, "from"), number(req, "to")) {
        (Ok(Some(from)), Ok(Some(to))) => (from, to),
        (Err(message), _) | (_, Err(message)) => {
            return text(StatusCode::BAD_REQUEST, message);
        }
        _ => {
            return text(
                StatusCode::BAD_REQUEST,
                "from and to are required\n".to_owned(),
            );
        }
    };
    let latest = match store::latest(&state.db).await {
        Ok(latest) => latest.map_or(0, |row| row.size as u64),
        Err(err) => return failed(&err),
    };
    if to > latest {
        return text(
            StatusCode::BAD_REQUEST,
            "to: the log is not that large yet\n".to_owned(),
        );
    }
    match store::consistency(&state.db, from, to).await {
        Ok(hashes) => json(serde_json::json!({
            "fromSize": from,
            "toSize": to,
            "hashes": hashes.iter().map(|h| STANDARD.encode(h)).collect::<Vec<_>>(),
        })),
        Err(err) => failed(&err),
    }
    .into_response()
}
