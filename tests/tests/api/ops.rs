//! The operators' endpoints: health, readiness and metrics.

use poem::http::StatusCode;
use serde_json::json;
use tests::TestApp;

#[tokio::test]
async fn health_answers_while_the_process_lives() {
    let app = TestApp::new().await;
    let response = app.client.get("/health").send().await;
    response.assert_status_is_ok();
}

#[tokio::test]
async fn ready_turns_503_when_the_database_is_unreachable() {
    let app = TestApp::new().await;
    app.client.get("/ready").send().await.assert_status_is_ok();
    app.db().close_by_ref().await.expect("close the pool");
    let response = app.client.get("/ready").send().await;
    assert_eq!(response.0.status(), StatusCode::SERVICE_UNAVAILABLE);
    // The process itself is still alive.
    app.client.get("/health").send().await.assert_status_is_ok();
}

#[tokio::test]
async fn metrics_count_operations_by_name_and_outcome() {
    let app = TestApp::new().await;
    app.gql("query Typename { __typename }", json!({}))
        .await
        .data();
    app.gql("query Broken { nope }", json!({})).await;
    let response = app.client.get("/metrics").send().await;
    response.assert_status_is_ok();
    let text = response.0.into_body().into_string().await.expect("text");
    assert!(
        text.contains(r#"quorum_graphql_operations_total{operation="Typename",outcome="ok"} 1"#)
    );
    assert!(text.contains(
        r#"quorum_graphql_operations_total{operation="Broken",outcome="GRAPHQL_VALIDATION_FAILED"} 1"#
    ));
    assert!(text.contains("quorum_http_request_duration_seconds_bucket"));
    assert!(text.contains("quorum_db_pool_connections_in_use"));
    assert!(text.contains("quorum_db_pool_connections_idle"));
}
