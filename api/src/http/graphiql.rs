//! GraphiQL, served whole from the binary: the page at `GET /graphql` and its scripts and styles
//! under `/graphiql/assets/`, so that it works offline and on networks that block CDNs.
//!
//! The asset files are the built files of the npm packages (see `api/assets/graphiql/README.md`).
//! Their URLs carry a hash of their contents, so browsers may cache them for a year and still
//! never run a stale copy after an upgrade.

use std::sync::LazyLock;

use poem::{
    IntoResponse, Response, handler,
    http::{HeaderValue, StatusCode, header},
    web::{Data, Path},
};
use sha2::{Digest, Sha256};

use crate::state::AppState;

/// One embedded file.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset {
        name: "react.production.min.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../assets/graphiql/react.production.min.js"),
    },
    Asset {
        name: "react-dom.production.min.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../assets/graphiql/react-dom.production.min.js"),
    },
    Asset {
        name: "graphiql.min.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../assets/graphiql/graphiql.min.js"),
    },
    Asset {
        name: "graphiql.min.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../../assets/graphiql/graphiql.min.css"),
    },
    Asset {
        name: "start.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: START.as_bytes(),
    },
];

/// Mounts GraphiQL on the page's own origin and path. A script file rather than an inline
/// script, so that the page's Content-Security-Policy can allow scripts from `'self'` only.
const START: &str = r##""use strict";
(function () {
  var page = new URL(window.location.href);
  page.search = "";
  page.hash = "";
  var ws = new URL(page.href.replace(/\/$/, "") + "/ws");
  ws.protocol = page.protocol === "https:" ? "wss:" : "ws:";
  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(GraphiQL, {
      fetcher: GraphiQL.createFetcher({
        url: page.href,
        subscriptionUrl: ws.href,
        fetch: function (url, options) {
          return fetch(url, Object.assign({}, options, { credentials: "same-origin" }));
        },
      }),
      defaultEditorToolsVisibility: true,
      defaultQuery: "# Quorum's GraphQL API: the public sponsor wall.\n# Run it with the play button (Ctrl-Enter). The Docs pane\n# (book icon) lists every type and field. Guides:\n#   docs/frontend.md    sessions, errors, caching\n#   docs/integrators.md tokens, feeds, webhooks\nquery SponsorWall {\n  sponsors(first: 10) {\n    totalCount\n    nodes {\n      id\n      displayName\n      websiteUrl\n      logoUrl\n      since\n      tier {\n        name\n        rank\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n",
    })
  );
})();
"##;

/// A year: the URLs change whenever the contents do.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Everything scripts, styles and connections may come from: this origin only. GraphiQL sets
/// inline styles, and its fonts are `data:` URLs inside its stylesheet.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                   img-src 'self' data:; font-src 'self' data:; connect-src 'self' ws: wss:; \
                   base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// A short hash of all the assets together: the version segment of their URLs.
static VERSION: LazyLock<String> = LazyLock::new(|| {
    let mut hash = Sha256::new();
    for asset in ASSETS {
        hash.update(asset.name.as_bytes());
        hash.update(asset.bytes);
    }
    hex::encode(hash.finalize())[..12].to_owned()
});

/// The page, built once. Its asset paths are relative, so it also works behind a proxy that
/// serves Quorum under a path prefix.
static PAGE: LazyLock<String> = LazyLock::new(|| {
    let asset = |name: &str| format!("graphiql/assets/{}/{name}", *VERSION);
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="robots" content="noindex">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Quorum GraphiQL</title>
    <link rel="icon" href="data:,">
    <link rel="stylesheet" href="{css}">
    <style>body {{ margin: 0; }} #graphiql {{ height: 100vh; }}</style>
  </head>
  <body>
    <div id="graphiql">Loading…</div>
    <script src="{react}"></script>
    <script src="{react_dom}"></script>
    <script src="{graphiql}"></script>
    <script src="{start}"></script>
  </body>
</html>
"#,
        css = asset("graphiql.min.css"),
        react = asset("react.production.min.js"),
        react_dom = asset("react-dom.production.min.js"),
        graphiql = asset("graphiql.min.js"),
        start = asset("start.js"),
    )
});

/// The GraphiQL page, for `GET /graphql` from a browser.
pub fn page() -> Response {
    Response::builder()
        .content_type("text/html; charset=utf-8")
        .header(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))
        .header(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        )
        .header(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        )
        .body(PAGE.as_str())
}

/// `GET /graphiql/assets/:version/:name`, while GraphiQL is on. An old version is a 404 rather
/// than today's file, so that no cache keeps a mismatched set.
#[handler]
pub fn asset_file(
    Path((version, name)): Path<(String, String)>,
    state: Data<&AppState>,
) -> Response {
    let found = ASSETS.iter().find(|asset| asset.name == name);
    match found {
        Some(asset) if state.config.graphiql && version == *VERSION => Response::builder()
            .content_type(asset.content_type)
            .header(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE))
            .header(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            )
            .body(asset.bytes),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}
