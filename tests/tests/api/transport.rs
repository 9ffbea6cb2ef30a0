//! GraphQL over HTTP: methods, media types, batches and body limits.

use poem::http::StatusCode;
use serde_json::json;
use tests::{Gql, TestApp, chunked_body};

#[tokio::test]
async fn a_frontend_posts_a_query_and_gets_json() {
    let app = TestApp::new().await;
    let response = app.gql("{ __typename }", json!({})).await;
    assert_eq!(response.status, StatusCode::OK);
    assert!(response.content_type.starts_with("application/json"));
    assert_eq!(response.body, json!({ "data": { "__typename": "Query" } }));
}

#[tokio::test]
async fn a_query_can_be_sent_with_get() {
    let app = TestApp::new().await;
    let response = app
        .client
        .get("/graphql")
        .query("query", &"query Typename { __typename }")
        .query("operationName", &"Typename")
        .send()
        .await;
    let response = Gql::read(response).await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.data()["__typename"], "Query");
}

#[tokio::test]
async fn a_mutation_sent_with_get_is_refused_with_405_and_allow() {
    let app = TestApp::new().await;
    let response = app
        .client
        .get("/graphql")
        .query(
            "query",
            &"mutation { logOut(input: {refreshToken: \"x\"}) { ok } }",
        )
        .send()
        .await;
    assert_eq!(response.0.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(
        response
            .0
            .headers()
            .get("allow")
            .and_then(|v| v.to_str().ok()),
        Some("POST")
    );
    let response = Gql::read(response).await;
    assert!(response.error_message().contains("POST"));
}

#[tokio::test]
async fn a_mutation_hidden_behind_an_operation_name_is_refused_too() {
    let app = TestApp::new().await;
    let response = app
        .client
        .get("/graphql")
        .query("query", &"query Q { __typename } mutation M { __typename }")
        .query("operationName", &"M")
        .send()
        .await;
    assert_eq!(response.0.status(), StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn other_methods_are_refused_with_allow() {
    let app = TestApp::new().await;
    let response = app.client.put("/graphql").send().await;
    assert_eq!(response.0.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(
        response
            .0
            .headers()
            .get("allow")
            .and_then(|v| v.to_str().ok()),
        Some("GET, POST")
    );
}

#[tokio::test]
async fn a_batch_is_refused_unless_batching_is_configured() {
    let batch = json!([{ "query": "{ __typename }" }, { "query": "{ __typename }" }]);
    let app = TestApp::new().await;
    let response = Gql::read(
        app.client
            .post("/graphql")
            .content_type("application/json")
            .body_json(&batch)
            .send()
            .await,
    )
    .await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert!(response.error_message().contains("batch"));

    let app = TestApp::with_config(|config| config.batch_max = 5).await;
    let response = Gql::read(
        app.client
            .post("/graphql")
            .content_type("application/json")
            .body_json(&batch)
            .send()
            .await,
    )
    .await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(
        response.body,
        json!([{ "data": { "__typename": "Query" } }, { "data": { "__typename": "Query" } }])
    );
}

#[tokio::test]
async fn a_batch_larger_than_configured_is_refused() {
    let app = TestApp::with_config(|config| config.batch_max = 2).await;
    let batch: Vec<_> = (0..3)
        .map(|_| json!({ "query": "{ __typename }" }))
        .collect();
    let response = app
        .client
        .post("/graphql")
        .content_type("application/json")
        .body_json(&batch)
        .send()
        .await;
    assert_eq!(response.0.status(), StatusCode::BAD_REQUEST);
}

fn oversized_query(limit: usize) -> Vec<u8> {
    let padding = " ".repeat(limit);
    serde_json::to_vec(&json!({ "query": format!("{{ __typename {padding} }}") }))
        .expect("serialize")
}

#[tokio::test]
async fn a_body_over_the_limit_gets_413() {
    let app = TestApp::with_config(|config| config.body_limit = 4096).await;
    let response = app
        .client
        .post("/graphql")
        .content_type("application/json")
        .body(oversized_query(4096))
        .send()
        .await;
    assert_eq!(response.0.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn a_chunked_body_without_length_cannot_get_around_the_limit() {
    let app = TestApp::with_config(|config| config.body_limit = 4096).await;
    let body = oversized_query(4096);
    let chunks = body.chunks(1000).map(<[u8]>::to_vec).collect();
    let response = app
        .client
        .post("/graphql")
        .content_type("application/json")
        .body(chunked_body(chunks))
        .send()
        .await;
    assert_eq!(response.0.status(), StatusCode::PAYLOAD_TOO_LARGE);

    // The same query in pieces, under the limit, is served.
    let small = serde_json::to_vec(&json!({ "query": "{ __typename }" })).expect("serialize");
    let chunks = small.chunks(5).map(<[u8]>::to_vec).collect();
    let response = app
        .client
        .post("/graphql")
        .content_type("application/json")
        .body(chunked_body(chunks))
        .send()
        .await;
    assert_eq!(response.0.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_graphql_response_media_type_is_honoured() {
    let app = TestApp::new().await;
    let send = |query: &'static str| {
        app.client
            .post("/graphql")
            .content_type("application/json")
            .header("accept", "application/graphql-response+json")
            .body_json(&json!({ "query": query }))
            .send()
    };
    let ok = Gql::read(send("{ __typename }").await).await;
    assert_eq!(ok.status, StatusCode::OK);
    assert!(
        ok.content_type
            .starts_with("application/graphql-response+json")
    );
    assert_eq!(ok.data()["__typename"], "Query");

    // A document that cannot run at all is a 400 under the new media type...
    let invalid = Gql::read(send("{ noSuchField }").await).await;
    assert_eq!(invalid.status, StatusCode::BAD_REQUEST);
    assert_eq!(invalid.error_code(), "GRAPHQL_VALIDATION_FAILED");

    // ...and a 200 under application/json, as legacy clients expect.
    let legacy = app.gql("{ noSuchField }", json!({})).await;
    assert_eq!(legacy.status, StatusCode::OK);
    assert_eq!(legacy.error_code(), "GRAPHQL_VALIDATION_FAILED");
}

#[tokio::test]
async fn a_client_accepting_neither_json_type_gets_406() {
    let app = TestApp::new().await;
    let response = app
        .client
        .post("/graphql")
        .content_type("application/json")
        .header("accept", "text/plain")
        .body_json(&json!({ "query": "{ __typename }" }))
        .send()
        .await;
    assert_eq!(response.0.status(), StatusCode::NOT_ACCEPTABLE);
}

#[tokio::test]
async fn a_body_that_is_not_json_is_a_400_and_other_content_types_a_415() {
    let app = TestApp::new().await;
    let response = app
        .client
        .post("/graphql")
        .content_type("application/json")
        .body("{ not json")
        .send()
        .await;
    assert_eq!(response.0.status(), StatusCode::BAD_REQUEST);
    let response = app
        .client
        .post("/graphql")
        .content_type("text/plain")
        .body("{ __typename }")
        .send()
        .await;
    assert_eq!(response.0.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn a_browser_gets_graphiql_in_development_only() {
    let app = TestApp::new().await;
    let response = app
        .client
        .get("/graphql")
        .header("accept", "text/html,application/xhtml+xml")
        .send()
        .await;
    response.assert_status_is_ok();
    response.assert_content_type("text/html; charset=utf-8");
    let html = response.0.into_body().into_string().await.expect("html");
    assert!(html.contains("graphiql.min.js"));

    let app = TestApp::with_config(|config| config.graphiql = false).await;
    let response = app
        .client
        .get("/graphql")
        .header("accept", "text/html")
        .send()
        .await;
    assert_eq!(response.0.status(), StatusCode::NOT_ACCEPTABLE);
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = TestApp::new().await;
    let response = app.client.get("/health").send().await;
    let generated = response
        .0
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .expect("a request id");
    assert!(!generated.is_empty());
    let response = app
        .client
        .get("/health")
        .header("x-request-id", "from-the-proxy-42")
        .send()
        .await;
    response.assert_header("x-request-id", "from-the-proxy-42");
}

#[tokio::test]
async fn a_refused_document_has_no_data_under_the_graphql_response_media_type() {
    let app = TestApp::new().await;
    for query in [
        "{ noSuchField }",
        "{ __typename",
        "query A { a } query A { b }",
    ] {
        let response = Gql::read(
            app.client
                .post("/graphql")
                .content_type("application/json")
                .header("accept", "application/graphql-response+json")
                .body_json(&json!({ "query": query }))
                .send()
                .await,
        )
        .await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{query}");
        assert!(response.body.get("data").is_none(), "{:#}", response.body);
        assert!(!response.errors().is_empty());
    }
}

#[tokio::test]
async fn a_body_without_a_query_is_a_400() {
    let app = TestApp::new().await;
    for body in [json!({ "qeury": "{ __typename }" }), json!({ "query": "" })] {
        let response = Gql::read(
            app.client
                .post("/graphql")
                .content_type("application/json")
                .body_json(&body)
                .send()
                .await,
        )
        .await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{body}");
        assert!(response.error_message().contains("query"));
    }
}
