//! Organizations and their representatives.

use serde_json::json;
use tests::{TestApp, factories::a_person};

const CREATE: &str = "mutation($input: CreateOrganizationInput!) {
  createOrganization(input: $input) { organization { id name websiteUrl representatives { displayName } } }
}";
const ADD: &str = "mutation($input: RepresentativeInput!) { addRepresentative(input: $input) { organization { id } } }";
const REMOVE: &str = "mutation($input: RepresentativeInput!) { removeRepresentative(input: $input) { organization { id } } }";

#[tokio::test]
async fn the_creator_becomes_the_first_representative() {
    let app = TestApp::new().await;
    let ada = a_person(&app, "Ada").await;
    let created = app
        .gql_as(
            &ada.access_token,
            CREATE,
            json!({ "input": { "name": "CloudCo", "websiteUrl": "https://cloud.example.com" } }),
        )
        .await;
    let organization = &created.data()["createOrganization"]["organization"];
    assert_eq!(organization["name"], json!("CloudCo"));
    assert_eq!(
        organization["representatives"],
        json!([{ "displayName": "Ada" }])
    );
    let viewer = app
        .gql_as(
            &ada.access_token,
            "{ viewer { organizations { name } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        viewer.data()["viewer"]["organizations"],
        json!([{ "name": "CloudCo" }])
    );
    // Anonymous callers need to log in.
    let anonymous = app
        .gql(CREATE, json!({ "input": { "name": "Nope" } }))
        .await;
    assert_eq!(anonymous.error_code(), "UNAUTHENTICATED");
}

#[tokio::test]
async fn urls_must_be_http_or_https() {
    let app = TestApp::new().await;
    let ada = a_person(&app, "Ada").await;
    let response = app
        .gql_as(
            &ada.access_token,
            CREATE,
            json!({ "input": { "name": "X", "logoUrl": "javascript:alert(1)" } }),
        )
        .await;
    assert_eq!(response.error_code(), "BAD_USER_INPUT");
    assert_eq!(response.error_field(), "input.logoUrl");
}

#[tokio::test]
async fn representatives_manage_representatives_and_one_always_remains() {
    let app = TestApp::new().await;
    let ada = a_person(&app, "Ada").await;
    let grace = a_person(&app, "Grace").await;
    let mallory = a_person(&app, "Mallory").await;
    let created = app
        .gql_as(
            &ada.access_token,
            CREATE,
            json!({ "input": { "name": "CloudCo" } }),
        )
        .await;
    let org = created.data()["createOrganization"]["organization"]["id"].clone();
    let input = |account: &str| json!({ "input": { "organizationId": org, "accountId": account } });

    assert_eq!(
        app.gql_as(&mallory.access_token, ADD, input(&mallory.id))
            .await
            .error_code(),
        "FORBIDDEN"
    );
    app.gql_as(&ada.access_token, ADD, input(&grace.id))
        .await
        .data();
    assert_eq!(
        app.gql_as(&ada.access_token, ADD, input(&grace.id))
            .await
            .error_code(),
        "CONFLICT"
    );
    // Grace, now a representative, sees the list; Mallory does not.
    let query = "query($id: ID!) { node(id: $id) { ... on Organization { representatives { displayName } } } }";
    let seen = app
        .gql_as(&grace.access_token, query, json!({ "id": org }))
        .await;
    assert_eq!(
        seen.data()["node"]["representatives"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    let hidden = app
        .gql_as(&mallory.access_token, query, json!({ "id": org }))
        .await;
    assert_eq!(hidden.data()["node"]["representatives"], json!(null));

    app.gql_as(&grace.access_token, REMOVE, input(&ada.id))
        .await
        .data();
    let last = app
        .gql_as(&grace.access_token, REMOVE, input(&grace.id))
        .await;
    assert_eq!(last.error_code(), "CONFLICT");
}
