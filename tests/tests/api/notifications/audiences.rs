//! Who an endpoint may hear from: audiences, consent and disclosure re-checked before each send, and what happens when its creator loses the right.

use std::time::Duration;

use api::auth::Role;
use serde_json::json;
use tests::{
    TestApp,
    factories::{a_contributor, a_person, a_person_with, a_sponsorship, an_organization},
    notifications::{
        CREATE_ENDPOINT as CREATE, WAIT, a_foundation, a_receiver_of, an_endpoint, any_with,
        deliveries, fast, redeliver, set_sponsor_consent, wait_until,
    },
    receivers::WebhookReceiver,
};

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
