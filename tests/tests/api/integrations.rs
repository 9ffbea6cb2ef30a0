//! Integrations: machine clients of the foundation or of an organization. Made by an ADMIN or a
//! representative for their own organization, scoped, audited, outliving whoever made them,
//! and rotating their secret with an overlap.

use std::time::Duration;

use api::auth::Role;
use serde_json::json;
use tests::{
    TestApp,
    factories::{
        a_person, a_person_with, add_representative, an_api_token, an_integration, an_organization,
        remove_representative,
    },
    notifications::an_endpoint,
};

const CREATE: &str = "mutation($input: CreateIntegrationInput!) {
  createIntegration(input: $input) { integration { id name scopes organizationId secrets { prefix expiresAt } } secret }
}";
const ROTATE: &str = "mutation($input: RotateIntegrationSecretInput!) {
  rotateIntegrationSecret(input: $input) { secret previousSecretExpiresAt integration { secrets { prefix expiresAt } } }
}";
const REVOKE: &str = "mutation($input: RevokeIntegrationInput!) {
  revokeIntegration(input: $input) { integration { id revokedAt } }
}";
const REVOKE_ROLE: &str =
    "mutation($input: RoleChangeInput!) { revokeRole(input: $input) { account { roles } } }";
const SPONSORS: &str = "{ sponsors(first: 5) { totalCount } }";
const AUDIT: &str =
    "{ auditEvents(last: 50) { nodes { action actorKind actorId actorIntegrationId } } }";

fn create(name: &str, organization: Option<&str>, scopes: &[&str]) -> serde_json::Value {
    json!({ "input": { "name": name, "organizationId": organization, "scopes": scopes } })
}

#[tokio::test]
async fn an_admins_foundation_integration_outlives_the_admins_role() {
    let app = TestApp::new().await;
    let ada = a_person_with(&app, "Ada Admin", Role::Admin).await;
    let other = a_person_with(&app, "Otto Admin", Role::Admin).await;
    let created = app
        .gql_as(
            &ada.access_token,
            CREATE,
            create("auditor", None, &["AUDIT_READ", "SPONSORS_READ"]),
        )
        .await;
    let payload = &created.data()["createIntegration"];
    let secret = payload["secret"].as_str().expect("secret").to_owned();
    assert!(secret.starts_with("qri_"));
    assert_eq!(
        payload["integration"]["scopes"],
        json!(["AUDIT_READ", "SPONSORS_READ"])
    );
    assert_eq!(payload["integration"]["organizationId"], json!(null));
    assert_eq!(
        payload["integration"]["secrets"][0]["expiresAt"],
        json!(null)
    );

    // Ada leaves the administrators; the integration does not notice.
    app.gql_as(
        &other.access_token,
        REVOKE_ROLE,
        json!({ "input": { "accountId": ada.id, "role": "ADMIN" } }),
    )
    .await
    .data();
    let sponsors = app.gql_as(&secret, SPONSORS, json!({})).await;
    assert_eq!(sponsors.data()["sponsors"]["totalCount"], 0);
    let audit = app.gql_as(&secret, AUDIT, json!({})).await;
    let entries = audit.data()["auditEvents"]["nodes"]
        .as_array()
        .expect("entries")
        .clone();
    let made = entries
        .iter()
        .find(|entry| entry["action"] == "integration.created")
        .expect("its creation is audited");
    assert_eq!(made["actorKind"], "ACCOUNT");
    assert_eq!(made["actorId"], json!(ada.id));

    // Ada can no longer see or manage it; another ADMIN can.
    let listed = app
        .gql_as(
            &ada.access_token,
            "{ integrations { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(listed.data()["integrations"]["totalCount"], 0);
    let id = payload["integration"]["id"].as_str().expect("id");
    let rotate = json!({ "input": { "integrationId": id } });
    let refused = app.gql_as(&ada.access_token, ROTATE, rotate.clone()).await;
    assert_eq!(refused.error_code(), "NOT_FOUND");
    app.gql_as(&other.access_token, ROTATE, rotate).await.data();
}

#[tokio::test]
async fn a_representative_makes_integrations_for_their_own_organization_only() {
    let app = TestApp::new().await;
    let rita = a_person(&app, "Rita Rep").await;
    let acme = an_organization(&app, &rita, "Acme Corp").await;
    let bob = a_person(&app, "Bob Other").await;
    let globex = an_organization(&app, &bob, "Globex").await;

    let made = app
        .gql_as(
            &rita.access_token,
            CREATE,
            create("crm", Some(&acme), &["MEMBERS_READ"]),
        )
        .await;
    assert_eq!(
        made.data()["createIntegration"]["integration"]["organizationId"],
        json!(acme)
    );

    // Another organization's: refused, and so is the foundation's.
    for (organization, who) in [(Some(globex.as_str()), &rita), (Some(acme.as_str()), &bob)] {
        let refused = app
            .gql_as(
                &who.access_token,
                CREATE,
                create("sneaky", organization, &["MEMBERS_READ"]),
            )
            .await;
        assert_eq!(refused.error_code(), "FORBIDDEN", "{}", refused.body);
    }
    let foundation = app
        .gql_as(
            &rita.access_token,
            CREATE,
            create("ours", None, &["SPONSORS_READ"]),
        )
        .await;
    assert_eq!(foundation.error_code(), "FORBIDDEN");

    // The list: each sees their own organization's, and asking for another's is refused.
    let rita_sees = app
        .gql_as(
            &rita.access_token,
            "{ integrations { nodes { name } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        rita_sees.data()["integrations"]["nodes"],
        json!([{ "name": "crm" }])
    );
    let bob_sees = app
        .gql_as(
            &bob.access_token,
            "query($o: ID) { integrations(organizationId: $o) { totalCount } }",
            json!({ "o": acme }),
        )
        .await;
    assert_eq!(bob_sees.error_code(), "FORBIDDEN");

    // Anonymous callers and credentials may not make one.
    let anonymous = app
        .gql(CREATE, create("anon", Some(&acme), &["MEMBERS_READ"]))
        .await;
    assert_eq!(anonymous.error_code(), "UNAUTHENTICATED");
    let token = an_api_token(&app, &rita, &["MEMBERS_READ"]).await;
    let by_token = app
        .gql_as(&token, CREATE, create("t", Some(&acme), &["MEMBERS_READ"]))
        .await;
    assert_eq!(by_token.error_code(), "FORBIDDEN");
}

#[tokio::test]
async fn a_scope_never_reaches_beyond_itself() {
    let app = TestApp::new().await;
    let rita = a_person(&app, "Rita Rep").await;
    let acme = an_organization(&app, &rita, "Acme Corp").await;

    // An organization cannot hold the foundation's audit log, nor can a person's API token
    // take an integration's scopes.
    let audit = app
        .gql_as(
            &rita.access_token,
            CREATE,
            create("auditor", Some(&acme), &["MEMBERS_READ", "AUDIT_READ"]),
        )
        .await;
    assert_eq!(audit.error_code(), "BAD_USER_INPUT");
    assert_eq!(audit.error_field(), "input.scopes");
    let none = app
        .gql_as(
            &rita.access_token,
            CREATE,
            create("empty", Some(&acme), &[]),
        )
        .await;
    assert_eq!(none.error_field(), "input.scopes");
    let token = app
        .gql_as(
            &rita.access_token,
            "mutation { createApiToken(input: { name: \"t\", scopes: [WEBHOOKS_MANAGE] }) { token } }",
            json!({}),
        )
        .await;
    assert_eq!(token.error_code(), "BAD_USER_INPUT");
    assert_eq!(token.error_field(), "input.scopes");

    let sponsors_only = an_integration(&app, &rita, Some(&acme), &["SPONSORS_READ"]).await;
    let secret = &sponsors_only.secret;
    app.gql_as(secret, SPONSORS, json!({})).await.data();
    for (query, code) in [
        ("{ memberships(first: 1) { totalCount } }", "FORBIDDEN"),
        ("{ elections(first: 1) { totalCount } }", "FORBIDDEN"),
        (AUDIT, "FORBIDDEN"),
        ("{ webhookEndpoints { totalCount } }", "FORBIDDEN"),
        ("{ integrations { totalCount } }", "FORBIDDEN"),
    ] {
        let refused = app.gql_as(secret, query, json!({})).await;
        assert_eq!(refused.error_code(), code, "{query}: {}", refused.body);
    }
    // It cannot mint credentials, rotate itself or widen itself.
    let mint = app
        .gql_as(
            secret,
            CREATE,
            create("wider", Some(&acme), &["SPONSORS_READ", "MEMBERS_READ"]),
        )
        .await;
    assert_eq!(mint.error_code(), "FORBIDDEN");
    let rotate = app
        .gql_as(
            secret,
            ROTATE,
            json!({ "input": { "integrationId": sponsors_only.id } }),
        )
        .await;
    assert_eq!(rotate.error_code(), "FORBIDDEN");
}

#[tokio::test]
async fn webhooks_manage_reaches_its_own_organizations_endpoints_only() {
    let app = TestApp::new().await;
    let rita = a_person(&app, "Rita Rep").await;
    let acme = an_organization(&app, &rita, "Acme Corp").await;
    let bob = a_person(&app, "Bob Other").await;
    let globex = an_organization(&app, &bob, "Globex").await;
    let ours = an_endpoint("http://127.0.0.1:9/acme", &["SPONSORSHIP_CREATED"])
        .of(&acme)
        .create(&app, &rita)
        .await;
    let theirs = an_endpoint("http://127.0.0.1:9/globex", &["SPONSORSHIP_CREATED"])
        .of(&globex)
        .create(&app, &bob)
        .await;
    let hooks = an_integration(&app, &rita, Some(&acme), &["WEBHOOKS_MANAGE"]).await;

    let listed = app
        .gql_as(
            &hooks.secret,
            "{ webhookEndpoints { nodes { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        listed.data()["webhookEndpoints"]["nodes"],
        json!([{ "id": ours.id }])
    );
    const ROTATE_HOOK: &str =
        "mutation($id: ID!) { rotateWebhookSecret(input: { endpointId: $id }) { secret } }";
    let other = app
        .gql_as(&hooks.secret, ROTATE_HOOK, json!({ "id": theirs.id }))
        .await;
    assert_eq!(other.error_code(), "NOT_FOUND");
    let rotated = app
        .gql_as(&hooks.secret, ROTATE_HOOK, json!({ "id": ours.id }))
        .await;
    assert!(
        rotated.data()["rotateWebhookSecret"]["secret"]
            .as_str()
            .expect("secret")
            .starts_with("whsec_")
    );
    // It may not create endpoints: that stays with people.
    let create = app
        .gql_as(
            &hooks.secret,
            tests::notifications::CREATE_ENDPOINT,
            an_endpoint("http://127.0.0.1:9/more", &["SPONSORSHIP_CREATED"])
                .of(&acme)
                .json(),
        )
        .await;
    assert_eq!(create.error_code(), "FORBIDDEN");

    // The rotation is recorded as the integration's doing.
    let admin = a_person_with(&app, "Ada Admin", Role::Admin).await;
    let audit = app.gql_as(&admin.access_token, AUDIT, json!({})).await;
    let entry = audit.data()["auditEvents"]["nodes"]
        .as_array()
        .expect("entries")
        .iter()
        .find(|entry| entry["action"] == "webhook_endpoint.secret_rotated")
        .cloned()
        .expect("the rotation is audited");
    assert_eq!(entry["actorKind"], "INTEGRATION");
    assert_eq!(entry["actorIntegrationId"], json!(hooks.id));
    assert_eq!(entry["actorId"], json!(null));
}

#[tokio::test]
async fn the_integration_outlives_the_representative_who_made_it() {
    let app = TestApp::new().await;
    let rita = a_person(&app, "Rita Rep").await;
    let acme = an_organization(&app, &rita, "Acme Corp").await;
    let sam = a_person(&app, "Sam Second").await;
    add_representative(&app, &rita, &acme, &sam).await;
    let crm = an_integration(&app, &rita, Some(&acme), &["MEMBERS_READ"]).await;

    remove_representative(&app, &sam, &acme, &rita).await;
    let read = app
        .gql_as(
            &crm.secret,
            "{ memberships(first: 1) { totalCount } }",
            json!({}),
        )
        .await;
    read.data();
    // Rita no longer manages it; Sam, still a representative, does.
    let rotate = json!({ "input": { "integrationId": crm.id } });
    let refused = app.gql_as(&rita.access_token, ROTATE, rotate.clone()).await;
    assert_eq!(refused.error_code(), "NOT_FOUND");
    app.gql_as(&sam.access_token, ROTATE, rotate).await.data();
}

#[tokio::test]
async fn a_rotated_secret_works_through_its_overlap_and_then_stops() {
    let app = TestApp::new().await;
    let rita = a_person(&app, "Rita Rep").await;
    let acme = an_organization(&app, &rita, "Acme Corp").await;
    let crm = an_integration(&app, &rita, Some(&acme), &["SPONSORS_READ"]).await;

    let bad = app
        .gql_as(
            &rita.access_token,
            ROTATE,
            json!({ "input": { "integrationId": crm.id, "overlapSeconds": -1 } }),
        )
        .await;
    assert_eq!(bad.error_field(), "input.overlapSeconds");

    let rotated = app
        .gql_as(
            &rita.access_token,
            ROTATE,
            json!({ "input": { "integrationId": crm.id, "overlapSeconds": 2 } }),
        )
        .await;
    let payload = &rotated.data()["rotateIntegrationSecret"];
    let second = payload["secret"].as_str().expect("secret").to_owned();
    assert_ne!(second, crm.secret);
    let secrets = payload["integration"]["secrets"]
        .as_array()
        .expect("secrets");
    assert_eq!(secrets.len(), 2);
    assert_eq!(
        secrets[0]["expiresAt"],
        json!(null),
        "the newest is current"
    );
    assert_eq!(secrets[1]["expiresAt"], payload["previousSecretExpiresAt"]);

    // Both work during the overlap, only the new one after it.
    for secret in [&crm.secret, &second] {
        app.gql_as(secret, SPONSORS, json!({})).await.data();
    }
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let old = app.gql_as(&crm.secret, SPONSORS, json!({})).await;
    assert_eq!(old.error_code(), "UNAUTHENTICATED");
    app.gql_as(&second, SPONSORS, json!({})).await.data();

    // A second rotation keeps one overlap: the secret rotated away earlier stops at once.
    let third = app
        .gql_as(
            &rita.access_token,
            ROTATE,
            json!({ "input": { "integrationId": crm.id, "overlapSeconds": 3600 } }),
        )
        .await;
    let third = third.data()["rotateIntegrationSecret"]["secret"]
        .as_str()
        .expect("secret")
        .to_owned();
    let fourth = app
        .gql_as(
            &rita.access_token,
            ROTATE,
            json!({ "input": { "integrationId": crm.id } }),
        )
        .await;
    let fourth = fourth.data()["rotateIntegrationSecret"]["secret"]
        .as_str()
        .expect("secret")
        .to_owned();
    let stopped = app.gql_as(&second, SPONSORS, json!({})).await;
    assert_eq!(stopped.error_code(), "UNAUTHENTICATED");
    for secret in [&third, &fourth] {
        app.gql_as(secret, SPONSORS, json!({})).await.data();
    }

    // Revoking stops every secret at once; a revoked integration neither rotates nor revokes.
    let revoke = json!({ "input": { "integrationId": crm.id } });
    app.gql_as(&rita.access_token, REVOKE, revoke.clone())
        .await
        .data();
    for secret in [&third, &fourth] {
        let refused = app.gql_as(secret, SPONSORS, json!({})).await;
        assert_eq!(refused.error_code(), "UNAUTHENTICATED");
    }
    let again = app.gql_as(&rita.access_token, REVOKE, revoke.clone()).await;
    assert_eq!(again.error_code(), "CONFLICT");
    let rotate = app.gql_as(&rita.access_token, ROTATE, revoke).await;
    assert_eq!(rotate.error_code(), "CONFLICT");
}
