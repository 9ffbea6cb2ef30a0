//! The public sponsor list as plain feeds, JSON and CSV, for HTTP caches and `curl | jq`.

use chrono::Utc;
use poem::{
    IntoResponse, Request, Response, handler,
    http::{HeaderValue, StatusCode, header},
    web::Data,
};
use sha2::{Digest, Sha256};

use crate::{
    AppState,
    sponsors::list::{self, PublicSponsor},
};

/// How long caches may reuse a feed before asking again.
const CACHE_CONTROL: &str = "public, max-age=300";

/// `GET /feeds/sponsors.json`
#[handler]
pub async fn sponsors_json(req: &Request, state: Data<&AppState>) -> Response {
    feed(req, &state, "application/json; charset=utf-8", |sponsors| {
        serde_json::to_vec(&serde_json::json!({ "sponsors": sponsors })).unwrap_or_default()
    })
    .await
}

/// `GET /feeds/sponsors.csv`
#[handler]
pub async fn sponsors_csv(req: &Request, state: Data<&AppState>) -> Response {
    feed(
        req,
        &state,
        "text/csv; charset=utf-8; header=present",
        |sponsors| csv(sponsors).into_bytes(),
    )
    .await
}

async fn feed(
    req: &Request,
    state: &AppState,
    content_type: &'static str,
    render: impl FnOnce(&[PublicSponsor]) -> Vec<u8>,
) -> Response {
    let sponsors = match list::all(&state.db, Utc::now().date_naive()).await {
        Ok(sponsors) => sponsors,
        Err(err) => {
            tracing::error!(error = %err, "could not read the sponsor list");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let body = render(&sponsors);
    let etag = format!("\"{}\"", &hex::encode(Sha256::digest(&body))[..32]);
    let matches = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| if_none_match(value, &etag));
    let builder = Response::builder()
        .header(header::ETAG, etag)
        .header(
            header::CACHE_CONTROL,
            HeaderValue::from_static(CACHE_CONTROL),
        )
        .header(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    if matches {
        builder.status(StatusCode::NOT_MODIFIED).finish()
    } else {
        builder.content_type(content_type).body(body)
    }
}

/// Whether an `If-None-Match` value names `etag` (weak comparison, as RFC 9110 asks for GET).
fn if_none_match(value: &str, etag: &str) -> bool {
    value.split(',').map(str::trim).any(|candidate| {
        candidate == "*" || candidate.strip_prefix("W/").unwrap_or(candidate) == etag
    })
}

/// The list as RFC 4180 CSV: a header line, CRLF line ends, and fields quoted when they hold a
/// comma, a quote or a line break. A field that a spreadsheet would run as a formula is
/// neutralised (see [`csv_field`]).
fn csv(sponsors: &[PublicSponsor]) -> String {
    let mut out = String::from("display_name,website_url,logo_url,since,tier,tier_rank\r\n");
    for sponsor in sponsors {
        let since = sponsor.since.0.format("%Y-%m-%d").to_string();
        let rank = sponsor.tier.rank.to_string();
        let fields = [
            sponsor.display_name.as_str(),
            sponsor.website_url.as_deref().unwrap_or_default(),
            sponsor.logo_url.as_deref().unwrap_or_default(),
            since.as_str(),
            sponsor.tier.name.as_str(),
            rank.as_str(),
        ];
        let line: Vec<String> = fields.iter().map(|field| csv_field(field)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

/// One CSV field. A field beginning with `=`, `+`, `-`, `@`, a tab or a carriage return would
/// run as a formula in a spreadsheet (a sponsor named `=HYPERLINK(…)`), so, as OWASP
/// recommends, it gets a leading single quote inside a quoted field: shown as text, never run.
fn csv_field(field: &str) -> String {
    if field.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("\"'{}\"", field.replace('"', "\"\""))
    } else if field.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_with_commas_quotes_and_newlines_are_quoted() {
        assert_eq!(csv_field("Plain"), "Plain");
        assert_eq!(csv_field("Acme, Inc."), "\"Acme, Inc.\"");
        assert_eq!(csv_field("The \"Best\" Co"), "\"The \"\"Best\"\" Co\"");
        assert_eq!(csv_field("Two\nLines"), "\"Two\nLines\"");
    }

    #[test]
    fn fields_a_spreadsheet_would_run_are_neutralised() {
        assert_eq!(
            csv_field("=HYPERLINK(\"https://evil.example\",\"Click\")"),
            "\"'=HYPERLINK(\"\"https://evil.example\"\",\"\"Click\"\")\""
        );
        for field in ["+1", "-1", "@SUM(A1)", "\tTab", "\rReturn"] {
            assert_eq!(csv_field(field), format!("\"'{field}\""));
        }
        assert_eq!(csv_field("Acme = Rockets"), "Acme = Rockets");
    }

    #[test]
    fn if_none_match_accepts_lists_weak_tags_and_star() {
        assert!(if_none_match("\"abc\"", "\"abc\""));
        assert!(if_none_match("\"x\", W/\"abc\"", "\"abc\""));
        assert!(if_none_match("*", "\"abc\""));
        assert!(!if_none_match("\"abd\"", "\"abc\""));
    }
}
