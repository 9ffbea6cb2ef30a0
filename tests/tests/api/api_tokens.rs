//! API tokens for integrations: shown once, stored hashed, scoped, read-only, revocable.

use poem::http::StatusCode;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;
use tests::{TestApp, factories::a_person};

const CREATE: &str = "mutation($input: CreateApiTokenInput!) {
  createApiToken(input: $input) { token apiToken { id name scopes expiresAt } }
}";
const REVOKE: &str = "mutation($input: RevokeApiTokenInput!) { revokeApiToken(input: $input) { apiToken { id revokedAt } } }";

#[tokio::test]
async fn an_integration_token_is_shown_once_and_stored_only_as_a_hash() {
    let app = TestApp::new().await;
    let ada = a_person(&app, "Ada").await;
    let created = app
        .gql_as(
            &ada.access_token,
            CREATE,
            json!({ "input": { "name": "badge", "scopes": ["SPONSORS_READ"] } }),
        )
        .await;
    let token = created.data()["createApiToken"]["token"]
        .as_str()
        .expect("token")
        .to_owned();
    assert!(token.starts_with("qrm_"));
    assert_eq!(
        created.data()["createApiToken"]["apiToken"]["scopes"],
        json!(["SPONSORS_READ"])
    );

    for (table, column) in [
        ("api_tokens", "token_hash"),
        ("api_tokens", "prefix"),
        ("refresh_tokens", "token_hash"),
    ] {
        let rows = app
            .db()
            .query_all_raw(Statement::from_string(
                app.backend(),
                format!("SELECT {column} FROM {table}"),
            ))
            .await
            .expect("query");
        for row in rows {
            let value: String = row.try_get("", column).expect("text");
            assert_ne!(value, token, "{table}.{column} holds the secret");
            assert_ne!(
                value, ada.refresh_token,
                "{table}.{column} holds the refresh secret"
            );
        }
    }

    // The token authenticates, but is nobody: it cannot act as a person.
    let viewer = app.gql_as(&token, "{ viewer { id } }", json!({})).await;
    assert_eq!(viewer.data()["viewer"], json!(null));
}

#[tokio::test]
async fn an_api_token_can_never_change_data_or_mint_tokens() {
    let app = TestApp::new().await;
    let ada = a_person(&app, "Ada").await;
    let created = app
        .gql_as(
            &ada.access_token,
            CREATE,
            json!({ "input": { "name": "ci", "scopes": ["MEMBERS_READ", "SPONSORS_READ"] } }),
        )
        .await;
    let token = created.data()["createApiToken"]["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let mint = app
        .gql_as(
            &token,
            CREATE,
            json!({ "input": { "name": "more", "scopes": ["SPONSORS_READ"] } }),
        )
        .await;
    assert_eq!(mint.error_code(), "FORBIDDEN");
    let organization = app
        .gql_as(
            &token,
            "mutation { createOrganization(input: { name: \"Evil\" }) { organization { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(organization.error_code(), "FORBIDDEN");
}

#[tokio::test]
async fn a_revoked_token_stops_at_once_and_only_its_owner_may_revoke_it() {
    let app = TestApp::new().await;
    let ada = a_person(&app, "Ada").await;
    let mallory = a_person(&app, "Mallory").await;
    let created = app
        .gql_as(
            &ada.access_token,
            CREATE,
            json!({ "input": { "name": "feed", "scopes": ["SPONSORS_READ"] } }),
        )
        .await;
    let token = created.data()["createApiToken"]["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let id = created.data()["createApiToken"]["apiToken"]["id"].clone();
    app.gql_as(&token, "{ __typename }", json!({})).await.data();

    let stolen = app
        .gql_as(
            &mallory.access_token,
            REVOKE,
            json!({ "input": { "apiTokenId": id } }),
        )
        .await;
    assert_eq!(stolen.error_code(), "NOT_FOUND");

    let revoked = app
        .gql_as(
            &ada.access_token,
            REVOKE,
            json!({ "input": { "apiTokenId": id } }),
        )
        .await;
    assert!(revoked.data()["revokeApiToken"]["apiToken"]["revokedAt"].is_string());
    let after = app.gql_as(&token, "{ __typename }", json!({})).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    assert_eq!(after.error_code(), "UNAUTHENTICATED");
    let again = app
        .gql_as(
            &ada.access_token,
            REVOKE,
            json!({ "input": { "apiTokenId": id } }),
        )
        .await;
    assert_eq!(again.error_code(), "CONFLICT");
}

#[tokio::test]
async fn an_expired_token_is_refused_and_bad_input_is_named() {
    let app = TestApp::new().await;
    let ada = a_person(&app, "Ada").await;
    let past = app
        .gql_as(
            &ada.access_token,
            CREATE,
            json!({ "input": { "name": "old", "scopes": ["SPONSORS_READ"], "expiresAt": "2020-01-01T00:00:00Z" } }),
        )
        .await;
    assert_eq!(past.error_field(), "input.expiresAt");
    let none = app
        .gql_as(
            &ada.access_token,
            CREATE,
            json!({ "input": { "name": "empty", "scopes": [] } }),
        )
        .await;
    assert_eq!(none.error_field(), "input.scopes");

    let created = app
        .gql_as(
            &ada.access_token,
            CREATE,
            json!({ "input": { "name": "soon", "scopes": ["SPONSORS_READ"] } }),
        )
        .await;
    let token = created.data()["createApiToken"]["token"]
        .as_str()
        .expect("token")
        .to_owned();
    app.sql("UPDATE api_tokens SET expires_at = '2020-01-01 00:00:00+00:00'")
        .await;
    assert_eq!(
        app.gql_as(&token, "{ __typename }", json!({}))
            .await
            .error_code(),
        "UNAUTHENTICATED"
    );
}

/// Every table's row count, and each token's `last_used_at`: what a write would change.
async fn snapshot(app: &TestApp) -> Vec<String> {
    let tables = app
        .db()
        .query_all_raw(Statement::from_string(
            app.backend(),
            match app.backend() {
                sea_orm::DbBackend::Postgres => {
                    "SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1"
                }
                _ => "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1",
            },
        ))
        .await
        .expect("list tables");
    let mut state = Vec::new();
    for table in tables {
        let name: String = table.try_get("", "name").expect("a table name");
        let count = app
            .db()
            .query_one_raw(Statement::from_string(
                app.backend(),
                format!("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM \"{name}\""),
            ))
            .await
            .expect("count")
            .expect("a row");
        let n: i64 = count.try_get("", "n").expect("a count");
        state.push(format!("{name}: {n}"));
    }
    let uses = app
        .db()
        .query_all_raw(Statement::from_string(
            app.backend(),
            "SELECT CAST(last_used_at AS TEXT) AS used FROM api_tokens ORDER BY id",
        ))
        .await
        .expect("token uses");
    for row in uses {
        let used: Option<String> = row.try_get("", "used").expect("a time or null");
        state.push(format!("api_tokens.last_used_at: {used:?}"));
    }
    state
}

#[tokio::test]
async fn an_integration_reading_with_a_token_changes_nothing_in_the_database() {
    let app = TestApp::new().await;
    let committee =
        tests::factories::a_person_with(&app, "Mina", api::auth::Role::MembershipCommittee).await;
    tests::factories::a_contributor(&app, "Grace", &committee).await;
    let token =
        tests::factories::an_api_token(&app, &committee, &["SPONSORS_READ", "MEMBERS_READ"]).await;
    // The sealer writes the log's tables in the background for the entries above; it is done
    // before the snapshot, so that only what the reads might write is compared.
    app.sealed().await;
    let before = snapshot(&app).await;

    for query in [
        "{ sponsors(first: 10) { totalCount nodes { displayName } } }",
        "{ sponsorActivities(first: 10) { nodes { kind } } }",
        "{ memberships(first: 10) { totalCount nodes { id status } } }",
        "{ sponsorTiers { name } }",
        "{ bylaws { versions { number } } }",
    ] {
        let response = app.gql_as(&token, query, json!({})).await;
        assert!(
            response.errors().is_empty(),
            "{query} answered {:?}",
            response.errors()
        );
        let response = app.get_as(&token, query).await;
        assert!(response.errors().is_empty(), "GET {query}");
    }

    assert_eq!(snapshot(&app).await, before, "a read with a token wrote");
}
