//! Webhook delivery: retries with the same id, timeouts, redelivery, the outbox across rollbacks, crashes and replicas, metrics and statement counts.

use std::time::Duration;

use api::notifications::{
    audience::Audience,
    outbox::{self, Event, WebhookEvent},
};
use chrono::{Days, Utc};
use serde_json::{Value, json};
use tests::{
    TestApp,
    factories::{a_person, a_sponsorship, an_organization},
    notifications::{
        WAIT, a_foundation, a_receiver_of, an_endpoint, any_with, fast, redeliver, wait_until,
    },
};

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
async fn a_delivery_waiting_out_its_backoff_is_sent_at_once_on_request() {
    // An hour's backoff: without the request, the second attempt would wait that long.
    let app = TestApp::with_config(|config| {
        fast(config);
        config.notifications.retry_base = Duration::from_secs(3600);
    })
    .await;
    let f = a_foundation(&app).await;
    let (receiver, _) = a_receiver_of(&app, &f.admin, &["SPONSORSHIP_CREATED"]).await;
    receiver.fail_next(1);
    a_sponsorship(&f.org, "Gold")
        .record(&app, &f.treasurer)
        .await;
    // The receiver answered 503 once; the delivery waits for its next retry.
    let log = wait_until(&app, &f.admin, |log| {
        log.iter()
            .any(|d| d["status"] == "PENDING" && d["lastStatusCode"] == 503)
    })
    .await;
    assert_eq!(log[0]["attempts"], 1);

    // The receiver is fixed: the integrator asks for the delivery now, not in an hour.
    let hastened = redeliver(&app, &f.admin, &log[0]["id"]).await;
    assert_eq!(
        hastened.data()["redeliverWebhook"]["delivery"],
        json!({ "status": "PENDING", "attempts": 1 })
    );
    let got = receiver.wait_for(2, WAIT).await;
    assert_eq!(got[1].webhook_id(), got[0].webhook_id());
    let log = wait_until(&app, &f.admin, any_with("SUCCEEDED")).await;
    assert_eq!(log[0]["attempts"], 2);
    // Others may not hasten it.
    let stranger = redeliver(&app, &f.rep, &log[0]["id"]).await;
    assert_eq!(stranger.error_code(), "NOT_FOUND");
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
