//! GraphiQL served whole from the binary, and cross-origin access: preflights answered for
//! local dev servers and configured origins, same-origin requests never refused.

use poem::http::StatusCode;
use serde_json::json;
use tests::{Gql, TestApp};

async fn page(app: &TestApp) -> String {
    let response = app
        .client
        .get("/graphql")
        .header("accept", "text/html,application/xhtml+xml")
        .send()
        .await;
    response.assert_status_is_ok();
    response.assert_content_type("text/html; charset=utf-8");
    response.0.into_body().into_string().await.expect("html")
}

/// Every `src` and `href` the page references.
fn references(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attribute in ["src=\"", "href=\""] {
        let mut rest = html;
        while let Some(start) = rest.find(attribute) {
            rest = &rest[start + attribute.len()..];
            let end = rest.find('"').expect("a closing quote");
            found.push(rest[..end].to_owned());
            rest = &rest[end..];
        }
    }
    found
}

#[tokio::test]
async fn the_page_references_no_other_host() {
    let app = TestApp::new().await;
    let html = page(&app).await;
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "{html}"
    );
    assert!(!html.contains("//unpkg") && !html.contains("cdn"), "{html}");
    let references = references(&html);
    assert_eq!(references.len(), 6, "{references:?}");
    for reference in references {
        assert!(
            reference.starts_with("graphiql/assets/") || reference == "data:,",
            "{reference} is not a same-origin relative path"
        );
    }
}

#[tokio::test]
async fn each_asset_is_served_with_its_content_type_and_a_long_cache_life() {
    let app = TestApp::new().await;
    let html = page(&app).await;
    let assets: Vec<_> = references(&html)
        .into_iter()
        .filter(|reference| reference.starts_with("graphiql/"))
        .collect();
    for name in [
        "react.production.min.js",
        "react-dom.production.min.js",
        "graphiql.min.js",
        "graphiql.min.css",
        "start.js",
    ] {
        let path = assets
            .iter()
            .find(|asset| asset.ends_with(&format!("/{name}")))
            .unwrap_or_else(|| panic!("{name} is not on the page"));
        let response = app.client.get(format!("/{path}")).send().await;
        response.assert_status_is_ok();
        let expected = if name.ends_with(".css") {
            "text/css; charset=utf-8"
        } else {
            "text/javascript; charset=utf-8"
        };
        response.assert_content_type(expected);
        response.assert_header("cache-control", "public, max-age=31536000, immutable");
        let body = response.0.into_body().into_bytes().await.expect("body");
        assert!(body.len() > 100, "{name} is empty");
    }
    // Another version of the same file is not served as this one.
    let response = app
        .client
        .get("/graphiql/assets/000000000000/graphiql.min.js")
        .send()
        .await;
    response.assert_status(StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn graphiql_opens_on_the_sponsor_wall_query_which_runs() {
    let app = TestApp::new().await;
    let start = references(&page(&app).await)
        .into_iter()
        .find(|reference| reference.ends_with("/start.js"))
        .expect("the start script");
    let script = app
        .client
        .get(format!("/{start}"))
        .send()
        .await
        .0
        .into_body()
        .into_string()
        .await
        .expect("start.js");
    // The editor's first text: a JavaScript string literal, which is also a JSON one.
    let literal = script
        .split_once("defaultQuery: ")
        .and_then(|(_, rest)| rest.split_once(",\n"))
        .map(|(literal, _)| literal)
        .expect("a defaultQuery");
    let query: String = serde_json::from_str(literal).expect("a string literal");
    assert!(query.starts_with("# "), "it opens with a comment: {query}");
    assert!(query.contains("docs/frontend.md"), "{query}");
    let ran = app.gql(&query, json!({})).await;
    assert!(ran.body.get("errors").is_none(), "{}", ran.body);
    assert_eq!(ran.data()["sponsors"]["totalCount"], 0);
}

#[tokio::test]
async fn the_assets_are_off_with_graphiql() {
    let on = TestApp::new().await;
    let path = references(&page(&on).await)
        .into_iter()
        .find(|reference| reference.ends_with("graphiql.min.js"))
        .expect("the script");
    let off = TestApp::with_config(|config| config.graphiql = false).await;
    let response = off.client.get(format!("/{path}")).send().await;
    response.assert_status(StatusCode::NOT_FOUND);
}

/// What GraphiQL's fetcher sends from the page: a same-origin POST, which browsers send with an
/// `Origin` header all the same.
async fn graphiql_post(app: &TestApp, host: &str) -> Gql {
    Gql::read(
        app.client
            .post("/graphql")
            .header("host", host)
            .header("origin", format!("http://{host}"))
            .header(
                "accept",
                "application/graphql-response+json, application/json",
            )
            .content_type("application/json")
            .body_json(&json!({ "query": "{ __typename }" }))
            .send()
            .await,
    )
    .await
}

#[tokio::test]
async fn graphiql_keeps_working_with_cors_origins_configured() {
    let app = TestApp::with_config(|config| {
        config.cors_origins = vec!["https://app.example.org".to_owned()];
    })
    .await;
    let response = graphiql_post(&app, "quorum.example.org:8443").await;
    assert_eq!(response.status, StatusCode::OK, "{:#}", response.body);
    assert_eq!(response.data()["__typename"], "Query");

    // The same request from another origin is refused.
    let response = app
        .client
        .post("/graphql")
        .header("host", "quorum.example.org:8443")
        .header("origin", "https://evil.example")
        .content_type("application/json")
        .body_json(&json!({ "query": "{ __typename }" }))
        .send()
        .await;
    assert_eq!(response.0.status(), StatusCode::FORBIDDEN);
    assert!(
        response
            .0
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
}

fn preflight<'a>(
    app: &'a TestApp,
    origin: &str,
) -> poem::test::TestRequestBuilder<'a, poem::endpoint::BoxEndpoint<'static, poem::Response>> {
    app.client
        .options("/graphql")
        .header("host", "127.0.0.1:8000")
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "content-type, authorization",
        )
}

#[tokio::test]
async fn a_dev_server_on_localhost_gets_its_preflight_answered_in_development() {
    let app = TestApp::new().await;
    for origin in ["http://localhost:5173", "http://127.0.0.1:3000"] {
        let response = preflight(&app, origin).send().await;
        response.assert_status_is_ok();
        response.assert_header("access-control-allow-origin", origin);
        let methods = response
            .0
            .headers()
            .get("access-control-allow-methods")
            .and_then(|value| value.to_str().ok())
            .expect("allowed methods")
            .to_ascii_uppercase();
        assert!(methods.contains("POST"), "{methods}");
        let headers = response
            .0
            .headers()
            .get("access-control-allow-headers")
            .and_then(|value| value.to_str().ok())
            .expect("allowed headers")
            .to_ascii_lowercase();
        assert!(
            headers.contains("content-type") && headers.contains("authorization"),
            "{headers}"
        );
    }
    // The request itself then carries the header the browser checks.
    let response = app
        .client
        .post("/graphql")
        .header("origin", "http://localhost:5173")
        .content_type("application/json")
        .body_json(&json!({ "query": "{ __typename }" }))
        .send()
        .await;
    response.assert_status_is_ok();
    response.assert_header("access-control-allow-origin", "http://localhost:5173");
}

#[tokio::test]
async fn production_answers_preflights_for_the_listed_origins_only() {
    // Production refuses to start without a signing key: make one first.
    let keys = tempfile::tempdir().expect("a directory for the key");
    let key_file = keys.path().join("signing-key.pem");
    let development = api::config::Config {
        signing_key_file: Some(key_file.clone()),
        ..api::config::Config::default()
    };
    api::auth::keys::SigningKeys::load_or_create(&development).expect("a signing key");
    let app = TestApp::with_config(|config| {
        config.environment = api::config::Environment::Production;
        config.signing_key_file = Some(key_file);
        config.cors_origins = vec!["https://app.example.org".to_owned()];
    })
    .await;
    let response = preflight(&app, "https://app.example.org").send().await;
    response.assert_status_is_ok();
    response.assert_header("access-control-allow-origin", "https://app.example.org");

    for origin in ["https://evil.example", "http://localhost:5173"] {
        let response = preflight(&app, origin).send().await;
        assert!(
            !response
                .0
                .headers()
                .keys()
                .any(|name| name.as_str().starts_with("access-control-")),
            "{origin} got CORS headers"
        );
        assert_ne!(response.0.status(), StatusCode::OK);
    }
}
