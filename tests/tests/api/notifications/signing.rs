//! Webhook signatures: the Standard Webhooks verifier accepts them, secrets rotate with a grace period and are sealed at rest.

use std::time::Duration;

use chrono::{Days, Utc};
use serde_json::{Value, json};
use tests::{
    TestApp,
    factories::{a_person, a_sponsorship},
    notifications::{
        WAIT, a_foundation, a_receiver_of, an_endpoint, any_with, fast, rotate_secret, wait_until,
    },
    receivers::WebhookReceiver,
};

#[tokio::test]
async fn a_new_sponsor_is_signed_so_that_the_standard_webhooks_verifier_accepts_it() {
    let app = TestApp::with_config(fast).await;
    let f = a_foundation(&app).await;
    let (receiver, endpoint) = a_receiver_of(&app, &f.admin, &["SPONSORSHIP_CREATED"]).await;
    let secret = endpoint.secret;
    assert!(secret.starts_with("whsec_"));
    a_sponsorship(&f.org, "Gold")
        .record(&app, &f.treasurer)
        .await;

    let got = receiver.wait_for(1, WAIT).await;
    let hook = &got[0];
    assert!(hook.verifies_with(&secret), "{hook:#?}");
    assert!(!hook.verifies_with("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
    assert!(hook.webhook_id().starts_with("msg_"));
    let body = hook.json();
    assert_eq!(body["type"], "sponsorship.created");
    // What the public sponsor list shows of the sponsor, and nothing internal.
    let sponsor = &body["data"]["sponsor"];
    assert_eq!(sponsor["displayName"], "Acme Corp");
    assert_eq!(sponsor["tier"]["name"], "Gold");
    let mut fields: Vec<&str> = sponsor
        .as_object()
        .expect("a sponsor")
        .keys()
        .map(String::as_str)
        .collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        [
            "displayName",
            "id",
            "logoUrl",
            "sponsorSince",
            "tier",
            "websiteUrl"
        ]
    );
    assert_eq!(
        body["data"].as_object().map(|data| data.len()),
        Some(1),
        "{body}"
    );

    let log = wait_until(&app, &f.admin, any_with("SUCCEEDED")).await;
    assert_eq!(log[0]["event"], "SPONSORSHIP_CREATED");
    assert_eq!(log[0]["webhookId"], json!(hook.webhook_id()));
    assert_eq!(log[0]["lastStatusCode"], 204);
    assert_eq!(log[0]["nextAttemptAt"], Value::Null);
    // Only subscribed events go out: nothing about memberships or tiers came.
    assert_eq!(receiver.received().len(), 1);
}

#[tokio::test]
async fn a_rotated_secret_keeps_verifying_for_the_grace_period_and_then_only_the_new_one_does() {
    let app = TestApp::with_config(|config| {
        fast(config);
        config.notifications.secret_grace = Duration::from_secs(4);
    })
    .await;
    let f = a_foundation(&app).await;
    let receiver = WebhookReceiver::start().await;
    let endpoint = an_endpoint(&receiver.url(), &["SPONSORSHIP_CREATED"])
        .of(&f.org)
        .create(&app, &f.rep)
        .await;
    let old = endpoint.secret;
    a_sponsorship(&f.org, "Gold")
        .record(&app, &f.treasurer)
        .await;
    let first = receiver.wait_for(1, WAIT).await;
    assert!(first[0].verifies_with(&old));

    // Rotated: during the grace period a receiver still verifying with the old secret loses
    // nothing, and one that switched verifies too.
    let new = rotate_secret(&app, &f.rep, &endpoint.id).await;
    let rotated_at = tokio::time::Instant::now();
    assert_ne!(new, old);
    let during = a_sponsorship(&f.org, "Gold").from(Utc::now().date_naive() - Days::new(800));
    during
        .until(Utc::now().date_naive() - Days::new(500))
        .record(&app, &f.treasurer)
        .await;
    let got = receiver.wait_for(2, WAIT).await;
    assert!(
        rotated_at.elapsed() < Duration::from_secs(4),
        "the machine was too slow to see the grace period"
    );
    assert!(
        got[1].verifies_with(&old),
        "{:?}",
        got[1].header("webhook-signature")
    );
    assert!(got[1].verifies_with(&new));
    let listed = app
        .gql_as(
            &f.rep.access_token,
            "query($id: ID!) { node(id: $id) { ... on WebhookEndpoint { previousSecretExpiresAt } } }",
            json!({ "id": endpoint.id }),
        )
        .await;
    assert_ne!(
        listed.data()["node"]["previousSecretExpiresAt"],
        Value::Null
    );

    // After it, only the new secret signs.
    tokio::time::sleep(Duration::from_secs(4).saturating_sub(rotated_at.elapsed())).await;
    let later = Utc::now().date_naive() - Days::new(300);
    a_sponsorship(&f.org, "Gold")
        .from(later)
        .until(later + Days::new(10))
        .record(&app, &f.treasurer)
        .await;
    let got = receiver.wait_for(3, WAIT).await;
    assert!(got[2].verifies_with(&new));
    assert!(!got[2].verifies_with(&old));

    // Someone else cannot rotate it: they are told it does not exist.
    let other = a_person(&app, "Mallory").await;
    let refused = app
        .gql_as(
            &other.access_token,
            "mutation($input: RotateWebhookSecretInput!) { rotateWebhookSecret(input: $input) { secret } }",
            json!({ "input": { "endpointId": endpoint.id } }),
        )
        .await;
    assert_eq!(refused.error_code(), "NOT_FOUND");
}

#[tokio::test]
async fn webhook_secrets_are_stored_sealed_and_old_plaintext_ones_are_sealed_at_start() {
    let app = TestApp::new().await;
    let f = a_foundation(&app).await;
    let (receiver, endpoint) = a_receiver_of(&app, &f.admin, &["SPONSORSHIP_CREATED"]).await;
    let stored = || async {
        <entity::prelude::WebhookEndpoint as sea_orm::EntityTrait>::find()
            .all(app.db())
            .await
            .expect("endpoints")
            .into_iter()
            .map(|row| row.secret)
            .collect::<Vec<_>>()
    };
    let key = endpoint.secret.trim_start_matches("whsec_");
    let sealed = stored().await;
    assert!(
        !sealed[0].contains(key) && !sealed[0].starts_with("whsec_"),
        "{sealed:?}"
    );

    // An endpoint from before sealing holds its secret in plaintext: a starting worker seals
    // it, and deliveries still verify with it.
    let legacy = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    app.sql(&format!("UPDATE webhook_endpoints SET secret = '{legacy}'"))
        .await;
    a_sponsorship(&f.org, "Gold")
        .record(&app, &f.treasurer)
        .await;
    let _worker = app.replica_with(fast).await;
    let got = receiver.wait_for(1, WAIT).await;
    assert!(got[0].verifies_with(legacy));
    let resealed = stored().await;
    assert!(!resealed[0].starts_with("whsec_"), "{resealed:?}");
}
