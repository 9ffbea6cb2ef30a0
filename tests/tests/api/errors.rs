//! Error codes: validation failures are named, internal faults are masked.

use serde_json::json;
use tests::{TestApp, factories::an_account};

#[tokio::test]
async fn an_invalid_query_carries_graphql_validation_failed() {
    let app = TestApp::new().await;
    let response = app.gql("{ nope }", json!({})).await;
    assert_eq!(response.error_code(), "GRAPHQL_VALIDATION_FAILED");
    let response = app.gql("{ unclosed", json!({})).await;
    assert_eq!(response.error_code(), "GRAPHQL_VALIDATION_FAILED");
}

#[tokio::test]
async fn a_malformed_id_is_bad_user_input_naming_the_field() {
    let app = TestApp::new().await;
    let response = app
        .gql(
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": "garbage" }),
        )
        .await;
    assert_eq!(response.error_code(), "BAD_USER_INPUT");
    assert_eq!(response.error_field(), "id");
}

#[tokio::test]
async fn a_node_is_found_by_its_global_id() {
    let app = TestApp::new().await;
    let ada = an_account().named("Ada").create(&app).await;
    let id = api::ids::id_of::<api::accounts::types::Account>(ada.id);
    let response = app
        .gql(
            "query($id: ID!) { node(id: $id) { id ... on Account { displayName } } }",
            json!({ "id": id.to_string() }),
        )
        .await;
    assert_eq!(
        response.data()["node"],
        json!({ "id": id.to_string(), "displayName": "Ada" })
    );
}

#[tokio::test]
async fn an_internal_error_is_masked_for_the_client() {
    let app = TestApp::new().await;
    let ada = an_account().create(&app).await;
    let id = api::ids::id_of::<api::accounts::types::Account>(ada.id);
    // The database loses a table under the running server.
    app.sql("ALTER TABLE accounts RENAME TO accounts_gone")
        .await;
    let response = app
        .gql(
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": id.to_string() }),
        )
        .await;
    assert_eq!(response.error_code(), "INTERNAL_SERVER_ERROR");
    assert_eq!(response.error_message(), "Internal server error");
    let text = response.body.to_string().to_lowercase();
    assert!(
        !text.contains("accounts")
            && !text.contains("relation")
            && !text.contains("table")
            && !text.contains("sql")
    );
}
