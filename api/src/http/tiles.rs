//! `GET /log/tile/<L>/<N>[.p/<W>]`: the Merkle tree log's hash tiles per C2SP `tlog-tiles`, for
//! standard mirrors and monitors. A tile's content never changes once the log holds it: a full
//! tile is cached for a year (`immutable`); a partial one briefly, since a log may stop serving
//! it once the full tile exists. Entry bundles (`/log/tile/entries/…`) are not served: an entry
//! is readable only by those it concerns, so its bytes are not public (see `docs/log.md`).

use poem::{
    Response, handler,
    http::{StatusCode, header},
    web::{Data, Path},
};

use crate::{
    log::tiles::{self, Tile},
    state::AppState,
};

/// How long a full tile may be cached: a year, the longest HTTP caches keep anything.
const FULL: &str = "public, max-age=31536000, immutable";
/// How long a partial tile may be cached.
const PARTIAL: &str = "public, max-age=60";

fn text(status: StatusCode, body: &str) -> Response {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-cache")
        .body(format!("{body}\n"))
}

/// `GET /log/tile/*path`
#[handler]
pub async fn tile(Path(path): Path<String>, state: Data<&AppState>) -> Response {
    if path.starts_with("entries/") {
        return text(
            StatusCode::NOT_FOUND,
            "entry bundles are not served: an audit entry is readable only by those it concerns; read it with auditEvents or node(id:) and check it against the hash tiles",
        );
    }
    let Some(tile) = Tile::parse(&path) else {
        return text(StatusCode::NOT_FOUND, "not a tile path: <L>/<N>[.p/<W>]");
    };
    match tiles::read(&state.db, tile).await {
        Ok(Some(bytes)) => Response::builder()
            .header(header::CONTENT_TYPE, "application/octet-stream")
            .header(
                header::CACHE_CONTROL,
                if tile.partial.is_some() {
                    PARTIAL
                } else {
                    FULL
                },
            )
            .body(bytes),
        Ok(None) => text(StatusCode::NOT_FOUND, "the log does not hold this tile yet"),
        Err(err) => {
            tracing::error!(error = %err, "a log tile could not be read");
            text(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the log could not be read",
            )
        }
    }
}
