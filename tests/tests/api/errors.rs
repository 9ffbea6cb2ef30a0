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

#[tokio::test]
async fn names_with_hidden_characters_and_text_with_control_characters_are_refused() {
    let app = TestApp::new().await;
    const SIGN_UP: &str =
        "mutation($input: SignUpInput!) { signUp(input: $input) { account { displayName } } }";
    // A name that reads "Admin" but hides a right-to-left override, or a zero-width space.
    for name in ["nimdA\u{202E}", "Ad\u{200B}min", "\u{2066}Ada\u{2069}"] {
        let response = app
            .gql(
                SIGN_UP,
                json!({ "input": { "email": "spoof@example.org", "password": "correct horse battery", "displayName": name } }),
            )
            .await;
        assert_eq!(response.error_code(), "BAD_USER_INPUT", "{name:?}");
        assert_eq!(response.error_field(), "input.displayName");
    }

    let ada = tests::factories::a_person(&app, "Ada").await;
    const ORGANIZATION: &str = "mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { organization { name } } }";
    let response = app
        .gql_as(
            &ada.access_token,
            ORGANIZATION,
            json!({ "input": { "name": "Acme\u{FEFF}" } }),
        )
        .await;
    assert_eq!(response.error_field(), "input.name");

    // Statements keep their newlines and tabs; NUL and ESC are refused.
    const APPLY: &str = "mutation($input: ApplyForMembershipInput!) { applyForMembership(input: $input) { application { statement } } }";
    let refused = app
        .gql_as(
            &ada.access_token,
            APPLY,
            json!({ "input": { "class": "CONTRIBUTOR", "statement": "I help\u{1b}[2J in the forums\u{0}" } }),
        )
        .await;
    assert_eq!(refused.error_code(), "BAD_USER_INPUT");
    assert_eq!(refused.error_field(), "input.statement");
    let kept = app
        .gql_as(
            &ada.access_token,
            APPLY,
            json!({ "input": { "class": "CONTRIBUTOR", "statement": "I help in the forums.\r\n\tAnd I translate." } }),
        )
        .await;
    assert_eq!(
        kept.data()["applyForMembership"]["application"]["statement"],
        "I help in the forums.\n\tAnd I translate."
    );
}
