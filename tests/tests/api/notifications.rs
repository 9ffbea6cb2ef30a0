//! Notifications: signed webhooks to real receivers on loopback ports, mail to a real SMTP
//! server, the outbox's guarantees across rollbacks, crashes and replicas, and the scheduler.

use std::time::Duration;

use api::{
    auth::Role,
    config::{Config, Environment},
    notifications::outbox::{self, Audience, Event, WebhookEvent},
};
use chrono::{Days, Utc};
use serde_json::{Value, json};
use tests::{
    TestApp,
    factories::{Person, a_contributor, a_person, a_person_with, a_sponsorship, an_organization},
    notifications::{
        CREATE_ENDPOINT as CREATE, WAIT, a_foundation, a_receiver_of, an_endpoint, any_with,
        audit_actions_about, deliveries, fast, is_renewal, mailing, redeliver, reminders_wanted,
        renewals_fall_due_in, rotate_secret, set_reminders, set_sponsor_consent, wait_until,
    },
    receivers::{SmtpReceiver, WebhookReceiver},
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
async fn a_receiver_that_fails_twice_gets_the_event_on_the_third_attempt_with_the_same_id() {
    let app = TestApp::with_config(fast).await;
    let f = a_foundation(&app).await;
    let (receiver, endpoint) = a_receiver_of(&app, &f.admin, &["SPONSORSHIP_CREATED"]).await;
    let secret = endpoint.secret;
    receiver.fail_next(2);
    a_sponsorship(&f.org, "Silver")
        .record(&app, &f.treasurer)
        .await;

    let got = receiver.wait_for(3, WAIT).await;
    let ids: Vec<String> = got.iter().map(|hook| hook.webhook_id()).collect();
    assert_eq!(ids, vec![ids[0].clone(); 3]);
    assert!(got.iter().all(|hook| hook.verifies_with(&secret)));
    let log = wait_until(&app, &f.admin, any_with("SUCCEEDED")).await;
    assert_eq!(log[0]["attempts"], 3);
    assert_eq!(log[0]["lastError"], Value::Null);
    // Once delivered, the body is no longer kept.
    let kept: Vec<(Option<String>,)> =
        <entity::prelude::WebhookDelivery as sea_orm::EntityTrait>::find()
            .all(app.db())
            .await
            .expect("deliveries")
            .into_iter()
            .map(|d| (d.body,))
            .collect();
    assert_eq!(kept, vec![(None,)]);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        receiver.received().len(),
        3,
        "nothing is sent after success"
    );
}

#[tokio::test]
async fn a_receiver_that_never_answers_is_cut_off_at_the_timeout_and_can_be_redelivered() {
    let app = TestApp::with_config(|config| {
        fast(config);
        config.notifications.request_timeout = Duration::from_millis(400);
        config.notifications.max_attempts = 2;
    })
    .await;
    let f = a_foundation(&app).await;
    let (receiver, _) = a_receiver_of(&app, &f.admin, &["SPONSORSHIP_CREATED"]).await;
    receiver.hang_next(2);
    let started = std::time::Instant::now();
    a_sponsorship(&f.org, "Gold")
        .record(&app, &f.treasurer)
        .await;

    let log = wait_until(&app, &f.admin, any_with("FAILED")).await;
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "cut off at the timeout"
    );
    assert_eq!(log[0]["attempts"], 2);
    assert_eq!(log[0]["lastStatusCode"], Value::Null);
    assert!(
        log[0]["lastError"]
            .as_str()
            .is_some_and(|e| e.contains("in time")),
        "{log:#?}"
    );
    assert_eq!(receiver.received().len(), 2);

    // Sent again on request, with the same id; the receiver answers now.
    let requeued = redeliver(&app, &f.admin, &log[0]["id"]).await;
    assert_eq!(
        requeued.data()["redeliverWebhook"]["delivery"]["status"],
        "PENDING"
    );
    let got = receiver.wait_for(3, WAIT).await;
    assert_eq!(got[2].webhook_id(), got[0].webhook_id());
    wait_until(&app, &f.admin, any_with("SUCCEEDED")).await;
    // A delivery that succeeded cannot be redelivered; others' deliveries are not found.
    let again = redeliver(&app, &f.admin, &log[0]["id"]).await;
    assert_eq!(again.error_code(), "CONFLICT");
    let stranger = redeliver(&app, &f.rep, &log[0]["id"]).await;
    assert_eq!(stranger.error_code(), "NOT_FOUND");
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

#[tokio::test]
async fn an_endpoint_that_may_not_see_an_opted_out_sponsor_never_receives_it() {
    let app = TestApp::with_config(fast).await;
    let f = a_foundation(&app).await;
    // Another organization's integration, the foundation's public and ADMIN ones, and the
    // sponsor's own, which reads its organization's events.
    let other_rep = a_person(&app, "Olga").await;
    let other_org = an_organization(&app, &other_rep, "Other Corp").await;
    let theirs = WebhookReceiver::start().await;
    let public = WebhookReceiver::start().await;
    let admins = WebhookReceiver::start().await;
    let own = WebhookReceiver::start().await;
    let events = ["SPONSORSHIP_CREATED"];
    an_endpoint(&theirs.url(), &events)
        .of(&other_org)
        .create(&app, &other_rep)
        .await;
    an_endpoint(&public.url(), &events)
        .create(&app, &f.admin)
        .await;
    an_endpoint(&admins.url(), &events)
        .audience("ADMIN")
        .create(&app, &f.admin)
        .await;
    an_endpoint(&own.url(), &events)
        .of(&f.org)
        .audience("ORGANIZATION")
        .create(&app, &f.rep)
        .await;

    a_sponsorship(&f.org, "Gold")
        .undisclosed()
        .record(&app, &f.treasurer)
        .await;
    let secret_sponsor = admins.wait_for(1, WAIT).await;
    assert_eq!(
        secret_sponsor[0].json()["data"]["sponsor"]["displayName"],
        "Acme Corp"
    );
    own.wait_for(1, WAIT).await;

    // A public sponsor reaches everyone, so by the time it reaches the others, the opted-out
    // one would have too.
    let public_rep = a_person(&app, "Pia").await;
    let public_org = an_organization(&app, &public_rep, "Public Corp").await;
    a_sponsorship(&public_org, "Silver")
        .record(&app, &f.treasurer)
        .await;
    admins.wait_for(2, WAIT).await;
    theirs.wait_for(1, WAIT).await;
    public.wait_for(1, WAIT).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    for receiver in [&theirs, &public] {
        let got = receiver.received();
        assert_eq!(got.len(), 1, "{got:#?}");
        assert_eq!(
            got[0].json()["data"]["sponsor"]["displayName"],
            "Public Corp"
        );
        assert!(!got.iter().any(|hook| hook.body.contains("Acme")));
    }
    // The other organization's delivery log shows only what it received.
    let log = deliveries(&app, &other_rep).await;
    assert_eq!(log.len(), 1);
}

#[tokio::test]
async fn an_admin_endpoint_whose_creator_lost_the_role_gets_public_events_only() {
    let app = TestApp::with_config(fast).await;
    let f = a_foundation(&app).await;
    let other_admin = a_person_with(&app, "Otto Admin", Role::Admin).await;
    let receiver = WebhookReceiver::start().await;
    an_endpoint(&receiver.url(), &["SPONSORSHIP_CREATED"])
        .audience("ADMIN")
        .create(&app, &f.admin)
        .await;
    let revoked = app
        .gql_as(
            &other_admin.access_token,
            "mutation($input: RoleChangeInput!) { revokeRole(input: $input) { account { roles } } }",
            json!({ "input": { "accountId": f.admin.id, "role": "ADMIN" } }),
        )
        .await;
    revoked.data();

    only_the_public_sponsor_arrives(&app, &f, &receiver).await;
}

#[tokio::test]
async fn an_event_that_stopped_being_public_before_it_was_sent_is_withheld() {
    // The workers are off while things change: the event waits in the outbox.
    let app = TestApp::new().await;
    let f = a_foundation(&app).await;
    let (receiver, _) = a_receiver_of(
        &app,
        &f.admin,
        &["SPONSORSHIP_CREATED", "MEMBERSHIP_APPROVED"],
    )
    .await;
    let sponsorship = a_sponsorship(&f.org, "Gold")
        .record(&app, &f.treasurer)
        .await;
    let committee = a_person_with(&app, "Cora", Role::MembershipCommittee).await;
    let (member, _) = a_contributor(&app, "Milo Member", &committee).await;

    // Before any attempt, the sponsor withdraws consent and the member asks not to be listed.
    set_sponsor_consent(&app, &f.rep, &sponsorship, false).await;
    // (No operation changes a membership's disclosure after the application; the database can.)
    let account = api::ids::decode(&member.id).expect("an account id").1;
    app.sql(&format!(
        "UPDATE memberships SET disclose = false WHERE holder_key = 'account:{account}'"
    ))
    .await;

    let _worker = app.replica_with(fast).await;
    let log = wait_until(&app, &f.admin, |log| {
        log.len() == 2 && log.iter().all(|d| d["status"] == "WITHHELD")
    })
    .await;
    assert_eq!(log.len(), 2, "{log:#?}");
    assert!(receiver.received().is_empty());

    // Nor can a withheld delivery be sent again.
    let again = redeliver(&app, &f.admin, &log[0]["id"]).await;
    assert_eq!(again.error_code(), "CONFLICT");
}

#[tokio::test]
async fn a_failed_delivery_of_a_sponsor_who_withdrew_consent_is_not_sent_again() {
    let app = TestApp::with_config(|config| {
        fast(config);
        config.notifications.max_attempts = 1;
    })
    .await;
    let f = a_foundation(&app).await;
    let (receiver, _) = a_receiver_of(&app, &f.admin, &["SPONSORSHIP_CREATED"]).await;
    receiver.fail_next(1);
    let sponsorship = a_sponsorship(&f.org, "Gold")
        .record(&app, &f.treasurer)
        .await;
    let log = wait_until(&app, &f.admin, any_with("FAILED")).await;
    set_sponsor_consent(&app, &f.rep, &sponsorship, false).await;
    let again = redeliver(&app, &f.admin, &log[0]["id"]).await;
    assert_eq!(again.error_code(), "CONFLICT");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(receiver.received().len(), 1);
}

#[tokio::test]
async fn a_transaction_that_fails_after_emitting_sends_nothing() {
    let app = TestApp::with_config(fast).await;
    let f = a_foundation(&app).await;
    let (receiver, _) = a_receiver_of(&app, &f.admin, &["AMENDMENT_ADOPTED"]).await;
    let event = |title: &str| Event {
        kind: WebhookEvent::AmendmentAdopted,
        subject_id: uuid::Uuid::now_v7(),
        data: json!({ "amendment": { "title": title } }),
        audience: Audience::Public,
        on: None,
    };
    let tx = api::db::begin_write(app.db()).await.expect("begin");
    outbox::emit(&tx, event("rolled back")).await.expect("emit");
    tx.rollback().await.expect("rollback");
    let tx = api::db::begin_write(app.db()).await.expect("begin");
    outbox::emit(&tx, event("committed")).await.expect("emit");
    tx.commit().await.expect("commit");

    let got = receiver.wait_for(1, WAIT).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(receiver.received().len(), 1);
    assert_eq!(got[0].json()["data"]["amendment"]["title"], "committed");
}

#[tokio::test]
async fn a_replica_killed_between_claim_and_send_leaves_the_event_to_another_with_the_same_id() {
    let app = TestApp::new().await;
    let f = a_foundation(&app).await;
    let (receiver, endpoint) = a_receiver_of(&app, &f.admin, &["SPONSORSHIP_CREATED"]).await;
    let secret = endpoint.secret;
    a_sponsorship(&f.org, "Gold")
        .record(&app, &f.treasurer)
        .await;

    // The first replica claims the delivery and is killed while the request is in flight.
    receiver.hang_next(1);
    let doomed = app.replica_with(fast).await;
    let first = receiver.wait_for(1, WAIT).await;
    doomed.jobs.stop();

    // A restarted replica sends it once the dead one's claim runs out, with the same id.
    let _restarted = app.replica_with(fast).await;
    let got = receiver.wait_for(2, WAIT).await;
    assert_eq!(got[1].webhook_id(), first[0].webhook_id());
    assert!(got[1].verifies_with(&secret));
    wait_until(&app, &f.admin, any_with("SUCCEEDED")).await;
}

#[tokio::test]
async fn two_replicas_deliver_each_event_exactly_once() {
    let app = TestApp::new().await;
    let f = a_foundation(&app).await;
    let (receiver, _) = a_receiver_of(&app, &f.admin, &["AMENDMENT_REJECTED"]).await;
    const EVENTS: usize = 40;
    let tx = api::db::begin_write(app.db()).await.expect("begin");
    for n in 0..EVENTS {
        outbox::emit(
            &tx,
            Event {
                kind: WebhookEvent::AmendmentRejected,
                subject_id: uuid::Uuid::now_v7(),
                data: json!({ "n": n }),
                audience: Audience::Public,
                on: None,
            },
        )
        .await
        .expect("emit");
    }
    tx.commit().await.expect("commit");

    let _one = app.replica_with(fast).await;
    let _two = app.replica_with(fast).await;
    receiver.wait_for(EVENTS, WAIT).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut ids: Vec<String> = receiver
        .received()
        .iter()
        .map(|hook| hook.webhook_id())
        .collect();
    assert_eq!(ids.len(), EVENTS);
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), EVENTS, "each event once");
}

#[tokio::test]
async fn production_refuses_endpoints_on_internal_addresses() {
    // Production refuses to start without a signing key: make one first.
    let keys = tempfile::tempdir().expect("a directory for the key");
    let key_file = keys.path().join("signing-key.pem");
    let development = Config {
        signing_key_file: Some(key_file.clone()),
        ..Config::default()
    };
    api::auth::keys::SigningKeys::load_or_create(&development).expect("a signing key");
    let app = TestApp::with_config(|config| {
        config.environment = Environment::Production;
        config.signing_key_file = Some(key_file);
    })
    .await;
    let admin = a_person_with(&app, "Ada Admin", Role::Admin).await;
    for url in [
        "https://127.0.0.1/hook",
        "https://10.0.0.1/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
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
async fn a_decided_application_is_mailed_to_the_applicant() {
    let smtp = SmtpReceiver::start().await;
    let app = TestApp::with_config(mailing(&smtp)).await;
    let committee = a_person_with(&app, "Cora", Role::MembershipCommittee).await;
    let (member, _) = a_contributor(&app, "Milo Member", &committee).await;

    let mail = smtp
        .wait_for(WAIT, |mail| mail.to.contains(&member.email))
        .await;
    let mail = &mail[0];
    assert_eq!(
        mail.header("Subject").as_deref(),
        Some("Your Contributor membership application was approved")
    );
    assert_eq!(
        mail.header("From").as_deref(),
        Some("Foundation <noreply@foundation.example>")
    );
    assert!(
        mail.header("Content-Type")
            .is_some_and(|t| t.starts_with("text/plain"))
    );
    // A decision is not a reminder: no one can unsubscribe from it.
    assert_eq!(mail.header("List-Unsubscribe"), None);
    assert!(mail.body().contains("Hello Milo Member"), "{}", mail.body());
}

#[tokio::test]
async fn a_renewal_reminder_that_fell_due_while_the_server_was_down_is_sent_once_after_restart() {
    let smtp = SmtpReceiver::start().await;
    // The first process runs no workers: it is "down" as far as the calendar is concerned.
    let smtp_url = smtp.url();
    let app = TestApp::with_config(move |config| {
        config.notifications.smtp_url = Some(smtp_url);
    })
    .await;
    let committee = a_person_with(&app, "Cora", Role::MembershipCommittee).await;
    let (member, _) = a_contributor(&app, "Milo Member", &committee).await;
    let (quiet, _) = a_contributor(&app, "Quinn Quiet", &committee).await;
    let opted = app
        .gql_as(
            &quiet.access_token,
            "mutation { setEmailPreferences(input: { nonEssential: false }) { nonEssential } }",
            json!({}),
        )
        .await;
    assert_eq!(opted.data()["setEmailPreferences"]["nonEssential"], false);
    let ends_on = Utc::now()
        .date_naive()
        .checked_add_days(Days::new(20))
        .expect("date");
    app.sql(&format!("UPDATE memberships SET ends_on = '{ends_on}'"))
        .await;

    let restarted = app.replica_with(mailing(&smtp)).await;
    let reminders = smtp
        .wait_for(WAIT, |mail| {
            mail.header("Subject")
                .is_some_and(|s| s.contains("time to renew"))
        })
        .await;
    assert_eq!(reminders.len(), 1);
    let reminder = &reminders[0];
    assert_eq!(reminder.to, vec![member.email.clone()]);
    assert_eq!(
        reminder.header("Subject"),
        Some(format!(
            "Your Contributor membership ends on {ends_on}: time to renew"
        ))
    );
    assert!(
        reminder
            .header("List-Unsubscribe")
            .is_some_and(|value| value.starts_with("<http") && value.ends_with('>'))
    );
    // The one who opted out still got the decision on their application, a governance notice.
    smtp.wait_for(WAIT, |mail| mail.to.contains(&quiet.email))
        .await;

    // Another restart the same day sends nothing more.
    restarted.jobs.stop();
    let _again = app.replica_with(mailing(&smtp)).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let renewals: Vec<_> = smtp
        .received()
        .into_iter()
        .filter(|mail| {
            mail.header("Subject")
                .is_some_and(|s| s.contains("time to renew"))
        })
        .collect();
    assert_eq!(renewals.len(), 1);
    assert!(!renewals.iter().any(|mail| mail.to.contains(&quiet.email)));
}

#[tokio::test]
async fn the_outbox_shows_in_metrics() {
    let app = TestApp::new().await;
    let f = a_foundation(&app).await;
    an_endpoint("http://127.0.0.1:9/hook", &["SPONSORSHIP_CREATED"])
        .create(&app, &f.admin)
        .await;
    a_sponsorship(&f.org, "Gold")
        .record(&app, &f.treasurer)
        .await;
    let response = app.client.get("/metrics").send().await;
    response.assert_status_is_ok();
    let text = response.0.into_body().into_string().await.expect("text");
    assert!(
        text.contains("quorum_outbox_pending{channel=\"webhook\"} 1"),
        "{text}"
    );
    assert!(text.contains("quorum_outbox_oldest_pending_age_seconds{channel=\"webhook\"}"));
}

#[tokio::test]
async fn a_changed_password_is_mailed_even_to_one_who_opted_out() {
    let smtp = SmtpReceiver::start().await;
    let app = TestApp::with_config(mailing(&smtp)).await;
    let person = a_person(&app, "Pat Person").await;
    app.gql_as(
        &person.access_token,
        "mutation { setEmailPreferences(input: { nonEssential: false }) { nonEssential } }",
        json!({}),
    )
    .await
    .data();
    let changed = app
        .gql_as(
            &person.access_token,
            "mutation($input: ChangePasswordInput!) { changePassword(input: $input) { account { id } } }",
            json!({ "input": { "currentPassword": tests::factories::PASSWORD, "newPassword": "a much longer new passphrase" } }),
        )
        .await;
    changed.data();
    let mail = smtp
        .wait_for(WAIT, |mail| mail.to.contains(&person.email))
        .await;
    assert_eq!(
        mail[0].header("Subject").as_deref(),
        Some("Your password was changed")
    );
    assert_eq!(mail[0].header("List-Unsubscribe"), None);
}

#[tokio::test]
async fn without_smtp_development_writes_each_message_to_a_file() {
    let app = TestApp::with_config(fast).await;
    let committee = a_person_with(&app, "Cora", Role::MembershipCommittee).await;
    let (member, _) = a_contributor(&app, "Milo Member", &committee).await;
    let folder = app.config().notifications.mail_dir.clone();
    let deadline = tokio::time::Instant::now() + WAIT;
    let text = loop {
        let found = std::fs::read_dir(&folder)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .filter(|entry| entry.path().extension().is_some_and(|e| e == "eml"))
                    .filter_map(|entry| std::fs::read_to_string(entry.path()).ok())
                    .find(|text| text.contains(&member.email))
            })
            .ok()
            .flatten();
        if let Some(text) = found {
            break text;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no .eml file in {folder:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(text.contains("Subject: Your Contributor membership application was approved"));
}

#[tokio::test]
async fn a_tier_change_and_a_lapse_are_told_once_each() {
    let app = TestApp::with_config(fast).await;
    let f = a_foundation(&app).await;
    let (receiver, _) = a_receiver_of(
        &app,
        &f.admin,
        &["SPONSORSHIP_TIER_CHANGED", "SPONSORSHIP_LAPSED"],
    )
    .await;
    let today = Utc::now().date_naive();
    let start = today.checked_sub_days(Days::new(400)).expect("date");
    let switch = today.checked_sub_days(Days::new(35)).expect("date");
    a_sponsorship(&f.org, "Silver")
        .from(start)
        .until(switch)
        .record(&app, &f.treasurer)
        .await;
    a_sponsorship(&f.org, "Gold")
        .from(switch)
        .record(&app, &f.treasurer)
        .await;
    let got = receiver.wait_for(2, WAIT).await;
    let mut types: Vec<String> = got
        .iter()
        .map(|hook| hook.json()["type"].as_str().unwrap_or_default().to_owned())
        .collect();
    types.sort();
    assert_eq!(types, ["sponsorship.lapsed", "sponsorship.tier_changed"]);
    let changed = got
        .iter()
        .find(|hook| hook.json()["type"] == "sponsorship.tier_changed")
        .expect("the tier change")
        .json();
    assert_eq!(changed["data"]["previousTier"]["name"], "Silver");
    assert_eq!(changed["data"]["sponsor"]["tier"]["name"], "Gold");

    // The scheduler's catch-up finds the lapse already told.
    let run = api::scheduler::run_daily(app.db()).await.expect("a run");
    assert_eq!(run.map(|r| r.caught_up.lapses_recorded).unwrap_or(0), 0);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(receiver.received().len(), 2);
}

#[tokio::test]
async fn an_approved_undisclosed_member_reaches_admin_endpoints_only() {
    let app = TestApp::with_config(fast).await;
    let f = a_foundation(&app).await;
    let committee = a_person_with(&app, "Cora", Role::MembershipCommittee).await;
    let admins = WebhookReceiver::start().await;
    let public = WebhookReceiver::start().await;
    let others = WebhookReceiver::start().await;
    an_endpoint(&admins.url(), &["MEMBERSHIP_APPROVED"])
        .audience("ADMIN")
        .create(&app, &f.admin)
        .await;
    an_endpoint(&public.url(), &["MEMBERSHIP_APPROVED"])
        .create(&app, &f.admin)
        .await;
    an_endpoint(&others.url(), &["MEMBERSHIP_APPROVED"])
        .of(&f.org)
        .audience("ORGANIZATION")
        .create(&app, &f.rep)
        .await;
    let shy = a_person(&app, "Shy").await;
    let application = tests::factories::apply(
        &app,
        &shy,
        json!({ "class": "CONTRIBUTOR", "statement": "I translate.", "disclose": false }),
    )
    .await;
    tests::factories::review(&app, &committee, &application, "APPROVE", None)
        .await
        .data();
    a_contributor(&app, "Open Olive", &committee).await;

    let got = admins.wait_for(2, WAIT).await;
    assert!(got.iter().any(|hook| hook.body.contains("Shy")));
    for receiver in [&public, &others] {
        let theirs = receiver.wait_for(1, WAIT).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(receiver.received().len(), 1);
        assert_eq!(theirs[0].json()["type"], "membership.approved");
        assert_eq!(theirs[0].json()["data"]["holder"]["name"], "Open Olive");
    }
}

#[tokio::test]
async fn only_an_admin_asks_for_the_admin_audience_and_only_for_the_foundation() {
    let app = TestApp::new().await;
    let f = a_foundation(&app).await;
    let url = "http://127.0.0.1:9/hook";
    let events = ["SPONSORSHIP_CREATED"];
    let by_rep = app
        .gql_as(
            &f.rep.access_token,
            CREATE,
            an_endpoint(url, &events)
                .of(&f.org)
                .audience("ADMIN")
                .json(),
        )
        .await;
    assert_eq!(by_rep.error_field(), "input.audience");
    let no_org = app
        .gql_as(
            &f.admin.access_token,
            CREATE,
            an_endpoint(url, &events).audience("ORGANIZATION").json(),
        )
        .await;
    assert_eq!(no_org.error_field(), "input.audience");
    let default = app
        .gql_as(
            &f.rep.access_token,
            CREATE,
            an_endpoint(url, &events).of(&f.org).json(),
        )
        .await;
    assert_eq!(
        default.data()["createWebhookEndpoint"]["endpoint"]["audience"],
        "PUBLIC"
    );
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
async fn the_delivery_log_costs_the_same_statements_for_one_endpoint_or_many() {
    let app = TestApp::new().await;
    let f = a_foundation(&app).await;
    let query = "{ webhookEndpoints(first: 50) { nodes { id deliveries(first: 5) { totalCount nodes { id status } } } } }";
    an_endpoint("http://127.0.0.1:9/a", &["SPONSORSHIP_CREATED"])
        .create(&app, &f.admin)
        .await;
    a_sponsorship(&f.org, "Gold")
        .record(&app, &f.treasurer)
        .await;
    app.reset_statement_count();
    app.gql_as(&f.admin.access_token, query, json!({}))
        .await
        .data();
    let one = app.statement_count();
    for n in 0..5 {
        an_endpoint(&format!("http://127.0.0.1:9/{n}"), &["SPONSORSHIP_CREATED"])
            .create(&app, &f.admin)
            .await;
    }
    let later = Utc::now()
        .date_naive()
        .checked_add_days(Days::new(400))
        .expect("date");
    a_sponsorship(&f.org, "Gold")
        .from(later)
        .record(&app, &f.treasurer)
        .await;
    app.reset_statement_count();
    let many = app.gql_as(&f.admin.access_token, query, json!({})).await;
    assert_eq!(
        many.data()["webhookEndpoints"]["nodes"]
            .as_array()
            .map(Vec::len),
        Some(6)
    );
    assert_eq!(app.statement_count(), one);
}

#[tokio::test]
async fn a_vote_opening_is_mailed_to_its_roll() {
    let smtp = SmtpReceiver::start().await;
    let app = TestApp::with_config(mailing(&smtp)).await;
    let (ada, _) = tests::factories::an_amendment_in_voting(&app, "Shorter notice").await;
    let mail = smtp
        .wait_for(WAIT, |mail| {
            mail.to.contains(&ada.email)
                && mail
                    .header("Subject")
                    .is_some_and(|s| s.starts_with("Vote open: "))
        })
        .await;
    // A governance notice: no unsubscribing from it.
    assert_eq!(mail[0].header("List-Unsubscribe"), None);
    assert!(mail[0].body().contains("You are on its roll"));
}

#[tokio::test]
async fn grace_and_expiry_are_mailed_once_each() {
    let smtp = SmtpReceiver::start().await;
    let smtp_url = smtp.url();
    let app = TestApp::with_config(move |config| {
        config.notifications.smtp_url = Some(smtp_url);
    })
    .await;
    let committee = a_person_with(&app, "Cora", Role::MembershipCommittee).await;
    let (graced, _) = a_contributor(&app, "Grace Period", &committee).await;
    let (expired, _) = a_contributor(&app, "Ex Pired", &committee).await;
    let today = Utc::now().date_naive();
    let holder = |person: &Person| {
        format!(
            "account:{}",
            api::ids::decode(&person.id).expect("an account id").1
        )
    };
    // The default grace period is 30 days: one ended 3 days ago, the other 40 days ago.
    for (person, days) in [(&graced, 3), (&expired, 40)] {
        let ended = today.checked_sub_days(Days::new(days)).expect("date");
        app.sql(&format!(
            "UPDATE memberships SET ends_on = '{ended}' WHERE holder_key = '{}'",
            holder(person)
        ))
        .await;
    }

    let _running = app.replica_with(mailing(&smtp)).await;
    let grace = smtp
        .wait_for(WAIT, |mail| {
            mail.header("Subject")
                .is_some_and(|s| s.contains("grace period started"))
        })
        .await;
    assert_eq!(grace.len(), 1);
    assert_eq!(grace[0].to, vec![graced.email.clone()]);
    assert!(grace[0].header("List-Unsubscribe").is_some());
    let gone = smtp
        .wait_for(WAIT, |mail| {
            mail.header("Subject")
                .is_some_and(|s| s.contains("has expired"))
        })
        .await;
    assert_eq!(gone.len(), 1);
    assert_eq!(gone[0].to, vec![expired.email.clone()]);
    // A second run the same day queues nothing new.
    assert_eq!(
        api::scheduler::run_daily(app.db()).await.expect("run"),
        None
    );
}

#[tokio::test]
async fn claiming_deliveries_leaves_the_public_cache_alone() {
    let app = TestApp::with_config(fast).await;
    let f = a_foundation(&app).await;
    let (receiver, _) = a_receiver_of(&app, &f.admin, &["SPONSORSHIP_CREATED"]).await;
    receiver.fail_next(1000);
    a_sponsorship(&f.org, "Gold")
        .record(&app, &f.treasurer)
        .await;
    receiver.wait_for(1, WAIT).await;

    // The public wall is cached; the worker keeps claiming the failing delivery meanwhile.
    const WALL: &str = "{ sponsors(first: 100) { totalCount nodes { id displayName } } }";
    app.gql(WALL, json!({})).await.data();
    let seen = receiver.received().len();
    receiver.wait_for(seen + 2, WAIT).await;
    app.reset_statement_count();
    let again = app.gql(WALL, json!({})).await;
    assert_eq!(again.data()["sponsors"]["totalCount"], json!(1));
    assert_eq!(
        app.statement_count(),
        0,
        "a claim is bookkeeping: the anonymous read is still served from memory"
    );
}

#[tokio::test]
async fn a_mail_folder_that_cannot_be_written_does_not_stop_webhooks() {
    let app = TestApp::with_config(|config| {
        fast(config);
        config.notifications.smtp_url = None;
        config.notifications.mail_dir = "/dev/null/cannot-be-a-folder".into();
    })
    .await;
    let f = a_foundation(&app).await;
    let (receiver, _) = a_receiver_of(&app, &f.admin, &["SPONSORSHIP_CREATED"]).await;
    a_sponsorship(&f.org, "Gold")
        .record(&app, &f.treasurer)
        .await;
    let got = receiver.wait_for(1, WAIT).await;
    assert_eq!(got[0].json()["type"], "sponsorship.created");
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

#[tokio::test]
async fn a_sponsorship_recorded_ahead_is_told_on_its_start_date_not_at_recording() {
    let app = TestApp::with_config(fast).await;
    let f = a_foundation(&app).await;
    let (receiver, _) = a_receiver_of(
        &app,
        &f.admin,
        &["SPONSORSHIP_CREATED", "SPONSORSHIP_CANCELLED"],
    )
    .await;
    let today = Utc::now().date_naive();
    let next_month = today.checked_add_days(Days::new(30)).expect("date");
    a_sponsorship(&f.org, "Gold")
        .from(next_month)
        .record(&app, &f.treasurer)
        .await;
    // Another, also ahead, cancelled before it starts: never told at all.
    let other_rep = a_person(&app, "Olga").await;
    let other_org = an_organization(&app, &other_rep, "Other Corp").await;
    let cancelled = a_sponsorship(&other_org, "Silver")
        .from(next_month)
        .record(&app, &f.treasurer)
        .await;
    app.gql_as(
        &f.treasurer.access_token,
        "mutation($input: CancelSponsorshipInput!) { cancelSponsorship(input: $input) { sponsorship { id } } }",
        json!({ "input": { "sponsorshipId": cancelled, "reason": "changed their mind" } }),
    )
    .await
    .data();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(receiver.received().is_empty(), "{:#?}", receiver.received());
    let early = api::sponsors::follow::catch_up(app.db())
        .await
        .expect("a catch-up");
    assert_eq!(early.map(|run| run.announced), Some(0));

    // The start date comes: the scheduler tells it, once.
    app.sql(&format!(
        "UPDATE sponsorships SET starts_on = '{today}', sponsor_since = '{today}'"
    ))
    .await;
    let caught_up = api::sponsors::follow::catch_up(app.db())
        .await
        .expect("a catch-up")
        .expect("not skipped");
    assert_eq!(caught_up.announced, 1);
    let got = receiver.wait_for(1, WAIT).await;
    assert_eq!(got[0].json()["type"], "sponsorship.created");
    assert_eq!(got[0].json()["data"]["sponsor"]["displayName"], "Acme Corp");
    let again = api::sponsors::follow::catch_up(app.db())
        .await
        .expect("a catch-up")
        .expect("not skipped");
    assert_eq!(again.announced, 0);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(receiver.received().len(), 1);
}

#[tokio::test]
async fn a_reminder_to_one_who_opted_out_after_it_was_queued_is_not_sent() {
    let smtp = SmtpReceiver::start().await;
    // Queued while no worker runs; sent by a worker started later.
    let app = TestApp::with_config(|config| {
        config.notifications.smtp_url = Some(smtp.url());
    })
    .await;
    let committee = a_person_with(&app, "Cora", Role::MembershipCommittee).await;
    let (member, _) = a_contributor(&app, "Milo Member", &committee).await;
    let (quiet, _) = a_contributor(&app, "Quinn Quiet", &committee).await;
    renewals_fall_due_in(&app, 20).await;
    let run = api::scheduler::run_daily(app.db()).await.expect("a run");
    assert_eq!(run.map(|run| run.reminded.renewals_due), Some(2));
    set_reminders(&app, &quiet, false).await;

    let _worker = app.replica_with(mailing(&smtp)).await;
    smtp.wait_for(WAIT, |mail| {
        is_renewal(mail) && mail.to.contains(&member.email)
    })
    .await;
    // The decisions on both applications went out too: the worker has been through the queue.
    smtp.wait_for(WAIT, |mail| mail.to.contains(&quiet.email))
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let renewals: Vec<_> = smtp.received().into_iter().filter(is_renewal).collect();
    assert_eq!(renewals.len(), 1, "{renewals:#?}");
    assert!(!renewals[0].to.contains(&quiet.email));
    let withheld = <entity::prelude::EmailMessage as sea_orm::EntityTrait>::find()
        .all(app.db())
        .await
        .expect("messages")
        .into_iter()
        .filter(|row| row.status == entity::email_message::MailStatus::Withheld)
        .count();
    assert_eq!(withheld, 1);
    // The choice itself is in the audit log, readable by the one who made it.
    assert!(
        audit_actions_about(&app, &quiet)
            .await
            .contains(&"email_preferences.changed".to_owned())
    );
}

#[tokio::test]
async fn one_click_unsubscribe_from_a_reminder_opts_the_account_out() {
    let smtp = SmtpReceiver::start().await;
    // The reminder falls due before the workers and the scheduler start.
    let app = TestApp::new().await;
    let committee = a_person_with(&app, "Cora", Role::MembershipCommittee).await;
    let (member, _) = a_contributor(&app, "Milo Member", &committee).await;
    let (other, _) = a_contributor(&app, "Olga Other", &committee).await;
    renewals_fall_due_in(&app, 20).await;
    let _worker = app.replica_with(mailing(&smtp)).await;
    let mail = smtp
        .wait_for(WAIT, |mail| {
            is_renewal(mail) && mail.to.contains(&member.email)
        })
        .await;
    let header = mail[0]
        .header("List-Unsubscribe")
        .expect("List-Unsubscribe");
    assert_eq!(
        mail[0].header("List-Unsubscribe-Post").as_deref(),
        Some("List-Unsubscribe=One-Click")
    );
    let link = header
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_owned();
    let path = link
        .strip_prefix(&app.config().notifications.public_url)
        .expect("a link on the public URL");
    assert!(path.starts_with("/unsubscribe?token="), "{link}");

    // Opening the link only shows a page whose button posts; nothing changes yet.
    let page = app.client.get(path).send().await;
    page.assert_status_is_ok();
    let html = page.0.into_body().into_string().await.expect("html");
    assert!(html.contains("method=\"post\""), "{html}");
    assert!(reminders_wanted(&app, &member).await);

    // A forged or altered token does nothing.
    let forged = format!("{}x", &path[..path.len() - 1]);
    let refused = app
        .client
        .post(&forged)
        .content_type("application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await;
    refused.assert_status(poem::http::StatusCode::BAD_REQUEST);
    assert!(reminders_wanted(&app, &member).await);

    // The mail client's one-click POST opts the account out, and only that account.
    let done = app
        .client
        .post(path)
        .content_type("application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await;
    done.assert_status_is_ok();
    assert!(!reminders_wanted(&app, &member).await);
    assert!(reminders_wanted(&app, &other).await);
    assert!(
        audit_actions_about(&app, &member)
            .await
            .contains(&"email_preferences.changed".to_owned())
    );
}

#[tokio::test]
async fn an_organizations_endpoint_whose_creator_left_it_gets_public_events_only() {
    let app = TestApp::with_config(fast).await;
    let f = a_foundation(&app).await;
    let receiver = WebhookReceiver::start().await;
    an_endpoint(&receiver.url(), &["SPONSORSHIP_CREATED"])
        .of(&f.org)
        .audience("ORGANIZATION")
        .create(&app, &f.rep)
        .await;
    // Rita hands the organization over to Ravi and leaves it.
    let successor = a_person(&app, "Ravi Rep").await;
    tests::factories::add_representative(&app, &f.rep, &f.org, &successor).await;
    tests::factories::remove_representative(&app, &successor, &f.org, &f.rep).await;

    // Its own sponsorship, undisclosed, no longer reaches the endpoint Rita made; public events
    // still do.
    only_the_public_sponsor_arrives(&app, &f, &receiver).await;
}

/// Acme Corp sponsors without consent to be shown, then Public Corp in public: `receiver`
/// gets Public Corp's alone.
async fn only_the_public_sponsor_arrives(
    app: &TestApp,
    f: &tests::notifications::Foundation,
    receiver: &WebhookReceiver,
) {
    a_sponsorship(&f.org, "Gold")
        .undisclosed()
        .record(app, &f.treasurer)
        .await;
    let public_rep = a_person(app, "Pia").await;
    let public_org = an_organization(app, &public_rep, "Public Corp").await;
    a_sponsorship(&public_org, "Silver")
        .record(app, &f.treasurer)
        .await;
    let got = receiver.wait_for(1, WAIT).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(receiver.received().len(), 1, "{got:#?}");
    assert_eq!(
        got[0].json()["data"]["sponsor"]["displayName"],
        "Public Corp"
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
