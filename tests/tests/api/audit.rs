//! The audit log: written with each change, readable by ADMIN, chained so an edit shows.

use api::auth::Role;
use serde_json::json;
use tests::{
    TestApp,
    factories::{a_person, a_person_with},
};

const CHAIN: &str =
    "{ auditChain { intact checkedEntries firstBrokenSequence firstBrokenLeaf reason } }";
const EVENTS: &str = "query($subject: ID) { auditEvents(subjectId: $subject) { totalCount nodes { action actorId subjectId summary } } }";

#[tokio::test]
async fn role_grants_are_audited_and_the_chain_verifies_until_an_entry_is_edited() {
    let app = TestApp::new().await;
    let admin = a_person_with(&app, "Root", Role::Admin).await;
    let ada = a_person(&app, "Ada").await;
    app.gql_as(
        &admin.access_token,
        "mutation($input: RoleChangeInput!) { grantRole(input: $input) { account { roles } } }",
        json!({ "input": { "accountId": ada.id, "role": "SECRETARY" } }),
    )
    .await
    .data();

    let events = app
        .gql_as(&admin.access_token, EVENTS, json!({ "subject": ada.id }))
        .await;
    let nodes = events.data()["auditEvents"]["nodes"]
        .as_array()
        .expect("nodes")
        .clone();
    let grant = nodes
        .iter()
        .find(|n| n["action"] == "role.granted")
        .expect("a grant entry");
    assert_eq!(grant["actorId"], json!(admin.id));
    assert_eq!(grant["summary"], json!({ "role": "SECRETARY" }));

    app.sealed().await;
    let check = app.gql_as(&admin.access_token, CHAIN, json!({})).await;
    assert_eq!(check.data()["auditChain"]["intact"], json!(true));
    assert_eq!(check.data()["auditChain"]["checkedEntries"], json!(4));

    // Someone with database access rewrites history.
    app.sql(r#"UPDATE audit_events SET summary = '{"role":"ADMIN"}' WHERE action = 'role.granted' AND subject_kind = 'Account' AND summary = '{"role":"SECRETARY"}'"#).await;
    let check = app.gql_as(&admin.access_token, CHAIN, json!({})).await;
    let result = &check.data()["auditChain"];
    assert_eq!(result["intact"], json!(false));
    assert_eq!(result["firstBrokenLeaf"], json!("3"));
    assert!(result["firstBrokenSequence"].is_string());
    assert!(
        result["reason"]
            .as_str()
            .expect("reason")
            .contains("changed")
    );
}

#[tokio::test]
async fn a_deleted_entry_breaks_the_log() {
    let app = TestApp::new().await;
    let admin = a_person_with(&app, "Root", Role::Admin).await;
    a_person(&app, "Ada").await;
    a_person(&app, "Grace").await;
    app.sealed().await;
    app.sql("DELETE FROM audit_events WHERE leaf_index = 1")
        .await;
    let check = app.gql_as(&admin.access_token, CHAIN, json!({})).await;
    assert_eq!(check.data()["auditChain"]["intact"], json!(false));
    assert_eq!(check.data()["auditChain"]["firstBrokenLeaf"], json!("1"));
    assert!(
        check.data()["auditChain"]["reason"]
            .as_str()
            .expect("a reason")
            .contains("missing")
    );
}

#[tokio::test]
async fn the_log_is_for_admins_and_a_person_reads_only_their_own_entries() {
    let app = TestApp::new().await;
    let ada = a_person(&app, "Ada").await;
    let grace = a_person(&app, "Grace").await;
    assert_eq!(
        app.gql(EVENTS, json!({})).await.error_code(),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        app.gql_as(&ada.access_token, EVENTS, json!({}))
            .await
            .error_code(),
        "FORBIDDEN"
    );
    assert_eq!(
        app.gql_as(&ada.access_token, CHAIN, json!({}))
            .await
            .error_code(),
        "FORBIDDEN"
    );
    let others = app
        .gql_as(&ada.access_token, EVENTS, json!({ "subject": grace.id }))
        .await;
    assert_eq!(others.error_code(), "FORBIDDEN");
    let own = app
        .gql_as(&ada.access_token, EVENTS, json!({ "subject": ada.id }))
        .await;
    assert_eq!(own.data()["auditEvents"]["totalCount"], json!(1));
    assert_eq!(
        own.data()["auditEvents"]["nodes"][0]["action"],
        json!("account.created")
    );
}
