//! Delivery is unordered (retries, outages, several replicas), so every event names what it is
//! about (`subject`: the sponsor or member, or else the amendment or election) and carries a
//! `sequence` that grows with each event about that subject, in the order their transactions
//! committed (issue 23, item 13).

use std::collections::HashMap;

use api::{
    holders::Holder,
    notifications::{
        audience::Audience,
        outbox::{self, Event, WebhookEvent},
    },
};
use serde_json::{Value, json};
use tests::{
    TestApp,
    factories::a_sponsorship,
    notifications::{WAIT, a_foundation, a_receiver_of, an_endpoint, fast},
};

const CANCEL: &str = "mutation($input: CancelSponsorshipInput!) { cancelSponsorship(input: $input) { sponsorship { id } } }";

fn sequence(body: &Value) -> i64 {
    body["sequence"]
        .as_i64()
        .unwrap_or_else(|| panic!("a sequence number: {body}"))
}

#[tokio::test]
async fn each_event_carries_its_subject_and_a_sequence_that_follows_the_changes() {
    let app = TestApp::with_config(fast).await;
    let f = a_foundation(&app).await;
    let (receiver, _) = a_receiver_of(
        &app,
        &f.admin,
        &["SPONSORSHIP_CREATED", "SPONSORSHIP_CANCELLED"],
    )
    .await;
    let sponsorship = a_sponsorship(&f.org, "Gold")
        .record(&app, &f.treasurer)
        .await;
    app.gql_as(
        &f.treasurer.access_token,
        CANCEL,
        json!({ "input": { "sponsorshipId": sponsorship, "reason": "Paid by mistake." } }),
    )
    .await
    .data();
    let got = receiver.wait_for(2, WAIT).await;
    let bodies: HashMap<String, Value> = got
        .iter()
        .map(|hook| {
            let body = hook.json();
            (body["type"].as_str().expect("a type").to_owned(), body)
        })
        .collect();
    let created = &bodies["sponsorship.created"];
    let cancelled = &bodies["sponsorship.cancelled"];
    // Both are about the sponsor, Acme, named by its global ID as the data names it.
    assert_eq!(created["subject"], json!(f.org), "{created}");
    assert_eq!(cancelled["subject"], json!(f.org), "{cancelled}");
    assert!(
        sequence(created) < sequence(cancelled),
        "{created} then {cancelled}"
    );
}

/// Many transactions write events about one subject at once: each gets its own number, and the
/// numbers follow the order in which they committed.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_transactions_never_share_a_sequence_number() {
    let app = TestApp::new().await;
    let f = a_foundation(&app).await;
    let acme = api::ids::decode(&f.org).expect("an organization id").1;
    // The workers are off: the deliveries wait in the outbox with their bodies. The
    // foundation's ADMIN endpoint may read events only the organization's holder may.
    let receiver = tests::receivers::WebhookReceiver::start().await;
    an_endpoint(&receiver.url(), &["AMENDMENT_REJECTED"])
        .audience("ADMIN")
        .create(&app, &f.admin)
        .await;
    const WRITERS: usize = 12;
    let committed = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut tasks = Vec::new();
    for n in 0..WRITERS {
        let db = app.db().clone();
        let committed = committed.clone();
        tasks.push(tokio::spawn(async move {
            let tx = api::db::begin_write(&db).await.expect("begin");
            outbox::emit(
                &tx,
                Event {
                    kind: WebhookEvent::AmendmentRejected,
                    subject_id: uuid::Uuid::now_v7(),
                    data: json!({ "n": n }),
                    audience: Audience::Holder(Holder::Organization(acme)),
                    on: None,
                },
            )
            .await
            .expect("emit");
            // Hold the transaction open a moment, so that the others overlap it.
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            tx.commit().await.expect("commit");
            committed.lock().expect("lock").push(n);
        }));
    }
    for task in tasks {
        task.await.expect("a writer");
    }
    let bodies: Vec<Value> = <entity::prelude::WebhookDelivery as sea_orm::EntityTrait>::find()
        .all(app.db())
        .await
        .expect("deliveries")
        .into_iter()
        .map(|d| serde_json::from_str(&d.body.expect("a body")).expect("json"))
        .collect();
    assert_eq!(bodies.len(), WRITERS);
    let mut by_sequence: Vec<(i64, i64)> = bodies
        .iter()
        .map(|b| {
            assert_eq!(b["subject"], json!(f.org), "{b}");
            (sequence(b), b["data"]["n"].as_i64().expect("n"))
        })
        .collect();
    by_sequence.sort_unstable();
    let numbers: Vec<i64> = by_sequence.iter().map(|(s, _)| *s).collect();
    let mut distinct = numbers.clone();
    distinct.dedup();
    assert_eq!(distinct, numbers, "every event its own number");
    // The numbers are handed out under the subject's lock, held to the commit: in sequence
    // order, the writers committed one after another.
    let order: Vec<i64> = by_sequence.iter().map(|(_, n)| *n).collect();
    let committed: Vec<i64> = committed
        .lock()
        .expect("lock")
        .iter()
        .map(|n| *n as i64)
        .collect();
    assert_eq!(order, committed);
}
