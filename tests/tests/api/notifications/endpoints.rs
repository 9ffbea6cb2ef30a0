//! Managing webhook endpoints: who may create them, where they may point, how many, and who sees them.

use api::auth::Role;
use serde_json::{Value, json};
use tests::{
    TestApp,
    factories::{Person, a_person, a_person_with, a_sponsorship},
    notifications::{CREATE_ENDPOINT as CREATE, a_foundation, an_endpoint},
};

#[tokio::test]
async fn production_refuses_endpoints_on_internal_addresses() {
    let app = TestApp::production(|_| {}).await;
    let admin = a_person_with(&app, "Ada Admin", Role::Admin).await;
    for url in [
        "https://127.0.0.1/hook",
        "https://10.0.0.1/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        // IPv4-translated addresses (::ffff:0:a.b.c.d) reach the IPv4 inside through a
        // translator: 10.0.0.1, 127.0.0.1.
        "https://[::ffff:0:a00:1]/hook",
        "https://[::ffff:0:7f00:1]/hook",
        "http://example.org/hook",
        "https://localhost/hook",
    ] {
        let response = app
            .gql_as(
                &admin.access_token,
                CREATE,
                json!({ "input": { "url": url, "events": ["SPONSORSHIP_CREATED"] } }),
            )
            .await;
        assert_eq!(response.error_code(), "BAD_USER_INPUT", "{url}");
        assert_eq!(response.error_field(), "input.url", "{url}");
    }
}

#[tokio::test]
async fn only_an_admin_or_the_organizations_representatives_create_endpoints() {
    let app = TestApp::new().await;
    let f = a_foundation(&app).await;
    let stranger = a_person(&app, "Sam").await;
    let url = "http://127.0.0.1:9/hook";
    let events = json!(["SPONSORSHIP_CREATED"]);
    let foundation_wide = app
        .gql_as(
            &f.rep.access_token,
            CREATE,
            json!({ "input": { "url": url, "events": events } }),
        )
        .await;
    assert_eq!(foundation_wide.error_code(), "FORBIDDEN");
    let not_theirs = app
        .gql_as(
            &stranger.access_token,
            CREATE,
            json!({ "input": { "url": url, "events": events, "organizationId": f.org } }),
        )
        .await;
    assert_eq!(not_theirs.error_code(), "FORBIDDEN");
    let no_events = app
        .gql_as(
            &f.admin.access_token,
            CREATE,
            json!({ "input": { "url": url, "events": [] } }),
        )
        .await;
    assert_eq!(no_events.error_field(), "input.events");
    let anonymous = app
        .gql(CREATE, json!({ "input": { "url": url, "events": events } }))
        .await;
    assert_eq!(anonymous.error_code(), "UNAUTHENTICATED");

    let endpoint = an_endpoint(url, &["SPONSORSHIP_LAPSED"])
        .of(&f.org)
        .create(&app, &f.rep)
        .await
        .id;
    // The representative sees their organization's endpoint, the stranger nothing, the admin all.
    let listed = |who: &Person| {
        let token = who.access_token.clone();
        let app = &app;
        async move {
            app.gql_as(
                &token,
                "{ webhookEndpoints { totalCount nodes { id events } } }",
                json!({}),
            )
            .await
            .data()["webhookEndpoints"]["totalCount"]
                .clone()
        }
    };
    assert_eq!(listed(&f.rep).await, 1);
    assert_eq!(listed(&stranger).await, 0);
    assert_eq!(listed(&f.admin).await, 1);
    let deleted = app
        .gql_as(
            &f.rep.access_token,
            "mutation($input: DeleteWebhookEndpointInput!) { deleteWebhookEndpoint(input: $input) { endpoint { id } } }",
            json!({ "input": { "endpointId": endpoint } }),
        )
        .await;
    assert_eq!(
        deleted.data()["deleteWebhookEndpoint"]["endpoint"]["id"],
        json!(endpoint)
    );
    assert_eq!(listed(&f.admin).await, 0);
}

#[tokio::test]
async fn endpoints_and_deliveries_are_nodes_for_those_who_manage_them() {
    let app = TestApp::new().await;
    let f = a_foundation(&app).await;
    let endpoint = an_endpoint("http://127.0.0.1:9/hook", &["SPONSORSHIP_CREATED"])
        .of(&f.org)
        .create(&app, &f.rep)
        .await
        .id;
    a_sponsorship(&f.org, "Gold")
        .record(&app, &f.treasurer)
        .await;
    let node = "query($id: ID!) { node(id: $id) { id ... on WebhookEndpoint { url deliveries { totalCount nodes { id status } } } } }";
    let own = app
        .gql_as(&f.rep.access_token, node, json!({ "id": endpoint }))
        .await;
    let deliveries = &own.data()["node"]["deliveries"];
    assert_eq!(deliveries["totalCount"], 1);
    assert_eq!(deliveries["nodes"][0]["status"], "PENDING");
    let delivery = deliveries["nodes"][0]["id"].clone();
    let stranger = a_person(&app, "Sam").await;
    let theirs = app
        .gql_as(&stranger.access_token, node, json!({ "id": endpoint }))
        .await;
    assert_eq!(theirs.data()["node"], Value::Null);
    let as_delivery = app
        .gql_as(
            &f.admin.access_token,
            "query($id: ID!) { node(id: $id) { ... on WebhookDelivery { event status } } }",
            json!({ "id": delivery }),
        )
        .await;
    assert_eq!(as_delivery.data()["node"]["event"], "SPONSORSHIP_CREATED");
}

#[tokio::test]
async fn a_stranger_learns_nothing_about_internal_names_from_creating_an_endpoint() {
    let app = TestApp::new().await;
    let f = a_foundation(&app).await;
    let stranger = a_person(&app, "Sam").await;
    // A name that never resolves: the stranger is told they may not, before any lookup.
    for organization in [None, Some(f.org.clone())] {
        let response = app
            .gql_as(
                &stranger.access_token,
                CREATE,
                json!({ "input": { "url": "http://db.no-such-host.invalid/hook",
                    "events": ["SPONSORSHIP_CREATED"], "organizationId": organization } }),
            )
            .await;
        assert_eq!(response.error_code(), "FORBIDDEN", "{organization:?}");
    }
    // The admin, who may, hears one generic reason that names no DNS outcome.
    let response = app
        .gql_as(
            &f.admin.access_token,
            CREATE,
            json!({ "input": { "url": "http://db.no-such-host.invalid/hook",
                "events": ["SPONSORSHIP_CREATED"] } }),
        )
        .await;
    assert_eq!(response.error_code(), "BAD_USER_INPUT");
    assert_eq!(response.error_field(), "input.url");
    assert!(
        response
            .body
            .to_string()
            .contains("does not resolve to a public address"),
        "{:?}",
        response.body
    );
}

/// Every event is written once per subscribed endpoint in the transaction that causes it, so a
/// representative cannot make every change slow by creating thousands of endpoints.
#[tokio::test]
async fn an_organization_has_at_most_twenty_endpoints() {
    let app = TestApp::new().await;
    let f = a_foundation(&app).await;
    for n in 0..api::notifications::endpoints::MAX_ENDPOINTS {
        an_endpoint(&format!("http://127.0.0.1:9/{n}"), &["SPONSORSHIP_CREATED"])
            .of(&f.org)
            .create(&app, &f.rep)
            .await;
    }
    let one_more = app
        .gql_as(
            &f.rep.access_token,
            CREATE,
            an_endpoint("http://127.0.0.1:9/21", &["SPONSORSHIP_CREATED"])
                .of(&f.org)
                .json(),
        )
        .await;
    assert_eq!(one_more.error_code(), "CONFLICT");
    assert!(
        one_more
            .error_message()
            .starts_with("At most 20 webhook endpoints"),
        "{}",
        one_more.error_message()
    );
}
