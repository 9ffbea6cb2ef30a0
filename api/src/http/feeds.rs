//! The public sponsor list as plain feeds, JSON and CSV, for HTTP caches and `curl | jq`, and
//! as an SVG sponsor wall for READMEs and websites.

use chrono::Utc;
use poem::{
    IntoResponse, Request, Response, handler,
    http::{HeaderValue, StatusCode, header},
    web::Data,
};
use sha2::{Digest, Sha256};

use crate::{
    sponsors::list::{self, PublicSponsor},
    state::AppState,
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

/// The UTF-8 byte-order mark, which tells Excel the file is UTF-8.
const BOM: &str = "\u{FEFF}";

/// `GET /feeds/sponsors.csv`, and `GET /feeds/sponsors.csv?bom=1` for spreadsheets: without a
/// byte-order mark Excel reads UTF-8 as Latin-1 ("Ünïcode" shows as "ÃœnÃ¯code"), while CSV
/// readers in code (Python's `csv`, say) would take a mark as part of the first column's name.
#[handler]
pub async fn sponsors_csv(req: &Request, state: Data<&AppState>) -> Response {
    let bom = req
        .uri()
        .query()
        .is_some_and(|query| query.split('&').any(|pair| pair == "bom=1"));
    feed(
        req,
        &state,
        "text/csv; charset=utf-8; header=present",
        |sponsors| {
            let text = csv(sponsors);
            if bom { format!("{BOM}{text}") } else { text }.into_bytes()
        },
    )
    .await
}

/// `GET /feeds/sponsors.svg`: the wall as an image, names as text (no images fetched), so it
/// can be embedded with `<img>` or a Markdown image anywhere.
#[handler]
pub async fn sponsors_svg(req: &Request, state: Data<&AppState>) -> Response {
    let mut response = feed(req, &state, "image/svg+xml; charset=utf-8", |sponsors| {
        svg(sponsors).into_bytes()
    })
    .await;
    // Opened on its own, an SVG is a document: it may not run or load anything.
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
    );
    response
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
    let mut out = String::from("displayName,websiteUrl,logoUrl,sponsorSince,tier,tierRank,id\r\n");
    for sponsor in sponsors {
        let since = sponsor.sponsor_since.0.format("%Y-%m-%d").to_string();
        let rank = sponsor.tier.rank.to_string();
        let fields = [
            sponsor.display_name.as_str(),
            sponsor.website_url.as_deref().unwrap_or_default(),
            sponsor.logo_url.as_deref().unwrap_or_default(),
            since.as_str(),
            sponsor.tier.name.as_str(),
            rank.as_str(),
            sponsor.id.as_str(),
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

/// The wall's width, and the sizes its layout is built from, in pixels.
const WIDTH: usize = 800;
const MARGIN: usize = 24;
const TIER_SIZE: usize = 20;
const NAME_SIZE: usize = 15;
const LINE: usize = 26;
const GAP: usize = 24;

/// The sponsor wall: one heading per tier, highest rank first, with its sponsors' names below
/// in rows. Text is measured roughly (no fonts are at hand), generously enough not to overlap.
fn svg(sponsors: &[PublicSponsor]) -> String {
    let mut tiers: Vec<(&str, i32, Vec<&str>)> = Vec::new();
    for sponsor in sponsors {
        let tier = (sponsor.tier.name.as_str(), sponsor.tier.rank);
        match tiers
            .iter_mut()
            .find(|(name, rank, _)| (*name, *rank) == tier)
        {
            Some((_, _, names)) => names.push(&sponsor.display_name),
            None => tiers.push((tier.0, tier.1, vec![&sponsor.display_name])),
        }
    }
    tiers.sort_by_key(|(_, rank, _)| *rank);

    let mut body = String::new();
    let mut y = MARGIN;
    if tiers.is_empty() {
        y += TIER_SIZE;
        body.push_str(&format!(
            "<text x=\"{MARGIN}\" y=\"{y}\" class=\"tier\">No sponsors yet</text>\n"
        ));
    }
    for (name, _, names) in &tiers {
        y += TIER_SIZE;
        body.push_str(&format!(
            "<text x=\"{MARGIN}\" y=\"{y}\" class=\"tier\">{}</text>\n",
            xml_escape(name)
        ));
        y += LINE;
        let mut x = MARGIN;
        for sponsor in names {
            let width = text_width(sponsor, NAME_SIZE);
            if x > MARGIN && x + width > WIDTH - MARGIN {
                x = MARGIN;
                y += LINE;
            }
            body.push_str(&format!(
                "<text x=\"{x}\" y=\"{y}\" class=\"name\">{}</text>\n",
                xml_escape(sponsor)
            ));
            x += width + GAP;
        }
        y += GAP / 2;
    }
    let height = y + MARGIN / 2;
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{height}\" \
         viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" aria-label=\"Sponsors\">\n\
         <title>Sponsors</title>\n\
         <style>text {{ font-family: -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif; \
         fill: #24292f; }} .tier {{ font-size: {TIER_SIZE}px; font-weight: 600; }} \
         .name {{ font-size: {NAME_SIZE}px; }}</style>\n\
         <rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n\
         {body}</svg>\n"
    )
}

/// A width no narrower than the text will render at: wide letters and capitals count more.
fn text_width(text: &str, size: usize) -> usize {
    let units: usize = text
        .chars()
        .map(|c| match c {
            'i' | 'l' | 'j' | '.' | ',' | '\'' | ' ' | '!' | '|' => 4,
            'm' | 'w' | 'M' | 'W' => 10,
            c if c.is_ascii_uppercase() => 8,
            c if c.is_ascii() => 6,
            // CJK and other wide scripts take about a full em.
            _ => 11,
        })
        .sum();
    units * size / 10
}

/// Text safe inside an XML element or a quoted attribute.
fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters other than tab and line breaks are not allowed in XML at all.
            c if c.is_control() && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
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
    fn svg_text_is_escaped() {
        assert_eq!(
            xml_escape("<script>\"A&B\" 'c'</script>\u{1}"),
            "&lt;script&gt;&quot;A&amp;B&quot; &apos;c&apos;&lt;/script&gt;"
        );
    }

    #[test]
    fn if_none_match_accepts_lists_weak_tags_and_star() {
        assert!(if_none_match("\"abc\"", "\"abc\""));
        assert!(if_none_match("\"x\", W/\"abc\"", "\"abc\""));
        assert!(if_none_match("*", "\"abc\""));
        assert!(!if_none_match("\"abd\"", "\"abc\""));
    }
}
