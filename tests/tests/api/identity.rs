//! Accounts and sessions: signing up, logging in, refreshing, logging out, and roles.

use std::time::Duration;

use api::auth::Role;
use poem::http::StatusCode;
use serde_json::json;
use tests::{
    TestApp,
    factories::{PASSWORD, a_person, a_person_with},
};

const VIEWER: &str = "{ viewer { id displayName email roles organizations { id name } } }";
const LOG_IN: &str = "mutation($input: LogInInput!) { logIn(input: $input) { accessToken refreshToken account { id } } }";
const REFRESH: &str = "mutation($input: RefreshSessionInput!) { refreshSession(input: $input) { accessToken refreshToken } }";
const LOG_OUT: &str = "mutation($input: LogOutInput!) { logOut(input: $input) { ok } }";
const GRANT: &str =
    "mutation($input: RoleChangeInput!) { grantRole(input: $input) { account { roles } } }";
const REVOKE: &str =
    "mutation($input: RoleChangeInput!) { revokeRole(input: $input) { account { roles } } }";

#[tokio::test]
async fn a_newcomer_signs_up_and_sees_themselves() {
    let app = TestApp::new().await;
    let ada = a_person(&app, "Ada").await;
    let response = app.gql_as(&ada.access_token, VIEWER, json!({})).await;
    assert_eq!(
        response.data()["viewer"],
        json!({ "id": ada.id, "displayName": "Ada", "email": ada.email, "roles": [], "organizations": [] })
    );
    // Anonymous callers have no viewer.
    assert_eq!(
        app.gql(VIEWER, json!({})).await.data()["viewer"],
        json!(null)
    );
}

#[tokio::test]
async fn emails_are_normalized_unique_and_checked() {
    let app = TestApp::new().await;
    let sign_up = |email: &str, password: &str| json!({ "input": { "email": email, "password": password, "displayName": "Grace" } });
    const SIGN_UP: &str =
        "mutation($input: SignUpInput!) { signUp(input: $input) { account { id } } }";
    app.gql(SIGN_UP, sign_up("Grace@Example.org", PASSWORD))
        .await
        .data();
    let duplicate = app
        .gql(SIGN_UP, sign_up("  grace@example.ORG ", PASSWORD))
        .await;
    assert_eq!(duplicate.error_code(), "CONFLICT");
    let malformed = app
        .gql(SIGN_UP, sign_up("grace-at-example", PASSWORD))
        .await;
    assert_eq!(malformed.error_code(), "BAD_USER_INPUT");
    assert_eq!(malformed.error_field(), "input.email");
    let short = app
        .gql(SIGN_UP, sign_up("hopper@example.org", "too short"))
        .await;
    assert_eq!(short.error_code(), "BAD_USER_INPUT");
    assert_eq!(short.error_field(), "input.password");
    let long = app
        .gql(SIGN_UP, sign_up("hopper@example.org", &"x".repeat(257)))
        .await;
    assert_eq!(long.error_field(), "input.password");
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_look_the_same() {
    let app = TestApp::new().await;
    let ada = a_person(&app, "Ada").await;
    let wrong = app
        .gql(
            LOG_IN,
            json!({ "input": { "email": ada.email, "password": "not the password!" } }),
        )
        .await;
    let unknown = app
        .gql(
            LOG_IN,
            json!({ "input": { "email": "nobody@example.org", "password": "not the password!" } }),
        )
        .await;
    assert_eq!(wrong.error_code(), "UNAUTHENTICATED");
    assert_eq!(unknown.error_code(), "UNAUTHENTICATED");
    assert_eq!(wrong.error_message(), unknown.error_message());
    let right = app
        .gql(
            LOG_IN,
            json!({ "input": { "email": ada.email.to_uppercase(), "password": PASSWORD } }),
        )
        .await;
    assert_eq!(right.data()["logIn"]["account"]["id"], json!(ada.id));
}

#[tokio::test]
async fn repeated_failed_log_ins_are_rate_limited() {
    let app = TestApp::new().await;
    let ada = a_person(&app, "Ada").await;
    let attempt = || {
        app.gql(
            LOG_IN,
            json!({ "input": { "email": ada.email, "password": "guess guess guess" } }),
        )
    };
    for _ in 0..10 {
        assert_eq!(attempt().await.error_code(), "UNAUTHENTICATED");
    }
    let limited = attempt().await;
    assert_eq!(limited.error_code(), "RATE_LIMITED");
    let seconds = limited.body["errors"][0]["extensions"]["retryAfterSeconds"]
        .as_u64()
        .expect("retryAfterSeconds");
    // HTTP clients and proxies read the wait from the header, without parsing the body.
    let header = limited
        .headers
        .get("retry-after")
        .expect("a Retry-After header");
    assert_eq!(header.to_str().ok(), Some(seconds.to_string().as_str()));
}

#[tokio::test]
async fn a_refresh_token_rotates_and_its_reuse_ends_the_session() {
    // Without a grace window, so that the reuse below comes after it (`sessions.rs` tests the
    // window itself).
    let app = TestApp::with_config(|config| config.refresh_reuse_grace = Duration::ZERO).await;
    let ada = a_person(&app, "Ada").await;
    let first = app
        .gql(
            REFRESH,
            json!({ "input": { "refreshToken": ada.refresh_token } }),
        )
        .await;
    let rotated = first.data()["refreshSession"].clone();
    let new_refresh = rotated["refreshToken"].as_str().expect("new refresh token");
    assert_ne!(new_refresh, ada.refresh_token);

    // The old token, presented again, is refused and revokes the whole family.
    let reuse = app
        .gql(
            REFRESH,
            json!({ "input": { "refreshToken": ada.refresh_token } }),
        )
        .await;
    assert_eq!(reuse.error_code(), "UNAUTHENTICATED");
    let after = app
        .gql(REFRESH, json!({ "input": { "refreshToken": new_refresh } }))
        .await;
    assert_eq!(after.error_code(), "UNAUTHENTICATED");
    let access = rotated["accessToken"].as_str().expect("access token");
    let response = app.gql_as(access, VIEWER, json!({})).await;
    assert_eq!(response.status, StatusCode::UNAUTHORIZED);
    assert_eq!(response.error_code(), "UNAUTHENTICATED");
}

#[tokio::test]
async fn logging_out_stops_the_session_at_once() {
    let app = TestApp::new().await;
    let ada = a_person(&app, "Ada").await;
    let out = app
        .gql(
            LOG_OUT,
            json!({ "input": { "refreshToken": ada.refresh_token } }),
        )
        .await;
    assert_eq!(out.data()["logOut"]["ok"], json!(true));
    assert_eq!(
        app.gql_as(&ada.access_token, VIEWER, json!({}))
            .await
            .error_code(),
        "UNAUTHENTICATED"
    );
    let refresh = app
        .gql(
            REFRESH,
            json!({ "input": { "refreshToken": ada.refresh_token } }),
        )
        .await;
    assert_eq!(refresh.error_code(), "UNAUTHENTICATED");
}

#[tokio::test]
async fn only_an_admin_grants_roles_and_a_revoked_role_stops_at_the_next_request() {
    let app = TestApp::new().await;
    let admin = a_person_with(&app, "Root", Role::Admin).await;
    let ada = a_person(&app, "Ada").await;
    let grant = json!({ "input": { "accountId": ada.id, "role": "TREASURER" } });

    assert_eq!(
        app.gql(GRANT, grant.clone()).await.error_code(),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        app.gql_as(&ada.access_token, GRANT, grant.clone())
            .await
            .error_code(),
        "FORBIDDEN"
    );

    let granted = app.gql_as(&admin.access_token, GRANT, grant.clone()).await;
    assert_eq!(
        granted.data()["grantRole"]["account"]["roles"],
        json!(["TREASURER"])
    );
    assert_eq!(
        app.gql_as(&admin.access_token, GRANT, grant.clone())
            .await
            .error_code(),
        "CONFLICT"
    );

    // Ada's existing access token now carries the role...
    let roles = app.gql_as(&ada.access_token, VIEWER, json!({})).await;
    assert_eq!(roles.data()["viewer"]["roles"], json!(["TREASURER"]));
    // ...and the same token loses it on the next request after revocation.
    app.gql_as(&admin.access_token, REVOKE, grant.clone())
        .await
        .data();
    let roles = app.gql_as(&ada.access_token, VIEWER, json!({})).await;
    assert_eq!(roles.data()["viewer"]["roles"], json!([]));
}

#[tokio::test]
async fn the_last_admin_cannot_be_revoked() {
    let app = TestApp::new().await;
    let admin = a_person_with(&app, "Root", Role::Admin).await;
    let revoke = json!({ "input": { "accountId": admin.id, "role": "ADMIN" } });
    assert_eq!(
        app.gql_as(&admin.access_token, REVOKE, revoke)
            .await
            .error_code(),
        "CONFLICT"
    );
}

#[tokio::test]
async fn another_persons_email_stays_private() {
    let app = TestApp::new().await;
    let ada = a_person(&app, "Ada").await;
    let grace = a_person(&app, "Grace").await;
    let admin = a_person_with(&app, "Root", Role::Admin).await;
    let query = "query($id: ID!) { node(id: $id) { ... on Account { displayName email organizations { id } } } }";
    let vars = json!({ "id": ada.id });
    let anonymous = app.gql(query, vars.clone()).await;
    assert_eq!(
        anonymous.data()["node"],
        json!({ "displayName": "Ada", "email": null, "organizations": null })
    );
    let other = app.gql_as(&grace.access_token, query, vars.clone()).await;
    assert_eq!(other.data()["node"]["email"], json!(null));
    let by_admin = app.gql_as(&admin.access_token, query, vars).await;
    assert_eq!(by_admin.data()["node"]["email"], json!(ada.email));
}

async fn log_in_from(app: &TestApp, email: &str, forwarded_for: &str) -> tests::Gql {
    tests::Gql::read(
        app.client
            .post("/graphql")
            .content_type("application/json")
            .header("x-forwarded-for", forwarded_for)
            .body_json(&json!({ "query": LOG_IN, "variables": { "input": { "email": email, "password": "guess guess guess" } } }))
            .send()
            .await,
    )
    .await
}

#[tokio::test]
async fn failed_log_ins_are_limited_per_client_address() {
    // Behind a trusted proxy, each client has its own budget.
    let app = TestApp::with_config(|config| config.trust_forwarded_for = true).await;
    for i in 0..30 {
        let response = log_in_from(
            &app,
            &format!("guess{i}@example.org"),
            "198.51.100.1, 203.0.113.7",
        )
        .await;
        assert_eq!(response.error_code(), "UNAUTHENTICATED");
    }
    assert_eq!(
        log_in_from(&app, "another@example.org", "203.0.113.7")
            .await
            .error_code(),
        "RATE_LIMITED"
    );
    assert_eq!(
        log_in_from(&app, "another@example.org", "203.0.113.8")
            .await
            .error_code(),
        "UNAUTHENTICATED"
    );

    // Without a trusted proxy, a client cannot escape its budget by forging the header.
    let app = TestApp::new().await;
    for i in 0..30 {
        log_in_from(
            &app,
            &format!("guess{i}@example.org"),
            &format!("10.0.0.{i}"),
        )
        .await;
    }
    assert_eq!(
        log_in_from(&app, "another@example.org", "10.9.9.9")
            .await
            .error_code(),
        "RATE_LIMITED"
    );
}

#[tokio::test]
async fn sign_ups_are_limited_per_client_address() {
    let app = TestApp::with_config(|config| {
        config.trust_forwarded_for = true;
        config.rate_limits = api::config::RateLimits::default();
    })
    .await;
    let app = &app;
    let sign_up = |n: usize, address: &'static str| {
        let body = json!({
            "query": "mutation($input: SignUpInput!) { signUp(input: $input) { account { id } } }",
            "variables": { "input": { "email": format!("probe{n}@example.org"), "password": "correct horse battery", "displayName": "Probe" } },
        });
        async move {
            tests::Gql::read(
                app.client
                    .post("/graphql")
                    .content_type("application/json")
                    .header("x-forwarded-for", address)
                    .body_json(&body)
                    .send()
                    .await,
            )
            .await
        }
    };
    for n in 0..10 {
        assert!(sign_up(n, "203.0.113.9").await.data()["signUp"]["account"]["id"].is_string());
    }
    let limited = sign_up(10, "203.0.113.9").await;
    assert_eq!(limited.error_code(), "RATE_LIMITED");
    let retry = limited.body["errors"][0]["extensions"]["retryAfterSeconds"]
        .as_u64()
        .expect("a retry time");
    assert!((3000..=3600).contains(&retry), "retry in {retry} s");
    // Another client is not held back.
    assert!(sign_up(11, "203.0.113.10").await.data()["signUp"]["account"]["id"].is_string());
}

#[tokio::test]
async fn the_log_in_limit_holds_across_replicas() {
    let app = TestApp::new().await;
    let ada = a_person(&app, "Ada").await;
    let other = tests::TestApp::client_for(app.replica().await);
    let (app, other) = (&app, &other);
    let attempt = |on_replica: bool| {
        let client = if on_replica { other } else { &app.client };
        let body = json!({ "query": LOG_IN, "variables": { "input": { "email": ada.email, "password": "guess guess guess" } } });
        async move {
            tests::Gql::read(
                client
                    .post("/graphql")
                    .content_type("application/json")
                    .body_json(&body)
                    .send()
                    .await,
            )
            .await
        }
    };
    // Ten guesses spread over two replicas use up one budget.
    for n in 0..10 {
        assert_eq!(attempt(n % 2 == 0).await.error_code(), "UNAUTHENTICATED");
    }
    assert_eq!(attempt(true).await.error_code(), "RATE_LIMITED");
    assert_eq!(attempt(false).await.error_code(), "RATE_LIMITED");
}
