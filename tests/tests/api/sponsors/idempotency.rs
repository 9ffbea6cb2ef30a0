//! Money recorded once: a retried contribution or sponsorship with its idempotency key.

use api::auth::Role;
use serde_json::json;
use tests::{
    TestApp,
    factories::{
        RECORD_SPONSORSHIP, a_person, a_person_with, a_sponsorship, an_organization, tier_id,
    },
};

const CONTRIBUTE_ONCE: &str = "mutation($input: RecordContributionInput!) { recordContribution(input: $input) { contribution { id amount { amountMinor } } } }";

#[tokio::test]
async fn a_retried_contribution_with_its_idempotency_key_is_recorded_once() {
    let app = TestApp::new().await;
    let treasurer = a_person_with(&app, "Tess", Role::Treasurer).await;
    let rep = a_person(&app, "Rita").await;
    let org = an_organization(&app, &rep, "Wire Co").await;
    let id = a_sponsorship(&org, "Gold").record(&app, &treasurer).await;
    let input = |amount: &str, key: &str| json!({ "input": { "sponsorshipId": id, "amountMinor": amount, "currency": "USD", "receivedOn": "2026-11-25", "kind": "MONETARY", "note": "wire", "idempotencyKey": key } });
    let first = app
        .gql_as(
            &treasurer.access_token,
            CONTRIBUTE_ONCE,
            input("2000000", "wire-2026-11-25"),
        )
        .await;
    // The client saw a connection error and retries.
    let retry = app
        .gql_as(
            &treasurer.access_token,
            CONTRIBUTE_ONCE,
            input("2000000", "wire-2026-11-25"),
        )
        .await;
    assert_eq!(retry.data(), first.data());
    let different = app
        .gql_as(
            &treasurer.access_token,
            CONTRIBUTE_ONCE,
            input("1000000", "wire-2026-11-25"),
        )
        .await;
    assert_eq!(different.error_code(), "CONFLICT");
    for bad in ["", &"k".repeat(101)] {
        let refused = app
            .gql_as(
                &treasurer.access_token,
                CONTRIBUTE_ONCE,
                input("2000000", bad),
            )
            .await;
        assert_eq!(refused.error_field(), "input.idempotencyKey");
    }
    // Two at once with a new key: one row.
    let (a, b) = tokio::join!(
        app.gql_as(
            &treasurer.access_token,
            CONTRIBUTE_ONCE,
            input("500000", "wire-2026-12-01")
        ),
        app.gql_as(
            &treasurer.access_token,
            CONTRIBUTE_ONCE,
            input("500000", "wire-2026-12-01")
        ),
    );
    assert_eq!(a.data(), b.data());
    let ledger = app
        .gql_as(
            &treasurer.access_token,
            "query($id: ID!) { node(id: $id) { ... on Sponsorship { contributions { totalCount } contributed { amountMinor } } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        ledger.data()["node"],
        json!({ "contributions": { "totalCount": 2 }, "contributed": { "amountMinor": "2500000" } })
    );
    // And one audit entry each.
    use sea_orm::EntityTrait;
    let recorded = entity::prelude::AuditEvent::find()
        .all(app.db())
        .await
        .expect("audit")
        .into_iter()
        .filter(|event| event.action.name() == "contribution.recorded")
        .count();
    assert_eq!(recorded, 2);
}

#[tokio::test]
async fn a_retried_sponsorship_with_its_idempotency_key_is_recorded_once() {
    let app = TestApp::new().await;
    let treasurer = a_person_with(&app, "Tess", Role::Treasurer).await;
    let rep = a_person(&app, "Rita").await;
    let org = an_organization(&app, &rep, "Retry Co").await;
    let other = an_organization(&app, &rep, "Other Co").await;
    let gold = tier_id(&app, "Gold").await;
    let with_key = |org: &str, key: &str| {
        let mut input = a_sponsorship(org, "Gold").json(&gold);
        input["input"]["idempotencyKey"] = json!(key);
        input
    };
    let first = app
        .gql_as(
            &treasurer.access_token,
            RECORD_SPONSORSHIP,
            with_key(&org, "gold-2026"),
        )
        .await;
    let retry = app
        .gql_as(
            &treasurer.access_token,
            RECORD_SPONSORSHIP,
            with_key(&org, "gold-2026"),
        )
        .await;
    assert_eq!(retry.data(), first.data());
    let different = app
        .gql_as(
            &treasurer.access_token,
            RECORD_SPONSORSHIP,
            with_key(&other, "gold-2026"),
        )
        .await;
    assert_eq!(different.error_code(), "CONFLICT");
    let (a, b) = tokio::join!(
        app.gql_as(
            &treasurer.access_token,
            RECORD_SPONSORSHIP,
            with_key(&other, "gold-other")
        ),
        app.gql_as(
            &treasurer.access_token,
            RECORD_SPONSORSHIP,
            with_key(&other, "gold-other")
        ),
    );
    assert_eq!(a.data(), b.data());
    let all = app
        .gql_as(
            &treasurer.access_token,
            "{ sponsorships { totalCount } memberships(class: SPONSOR) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(all.data()["sponsorships"]["totalCount"], json!(2));
    assert_eq!(all.data()["memberships"]["totalCount"], json!(2));
}

#[tokio::test]
async fn money_cannot_be_recorded_without_a_key_to_retry_with() {
    let app = TestApp::new().await;
    let treasurer = a_person_with(&app, "Tess", Role::Treasurer).await;
    let rep = a_person(&app, "Rita").await;
    let org = an_organization(&app, &rep, "Keyless Co").await;
    let id = a_sponsorship(&org, "Gold").record(&app, &treasurer).await;
    let contribution = json!({ "input": { "sponsorshipId": id, "amountMinor": "100", "currency": "USD", "receivedOn": "2026-11-25", "kind": "MONETARY" } });
    let refused = app
        .gql_as(&treasurer.access_token, CONTRIBUTE_ONCE, contribution)
        .await;
    assert_eq!(refused.error_code(), "BAD_USER_INPUT");
    assert_eq!(refused.error_field(), "input.idempotencyKey");
    assert_eq!(refused.error_message(), "The idempotency key is required.");
    let mut sponsorship = a_sponsorship(&org, "Silver").json(&tier_id(&app, "Silver").await);
    sponsorship["input"]
        .as_object_mut()
        .expect("an input")
        .remove("idempotencyKey");
    let refused = app
        .gql_as(&treasurer.access_token, RECORD_SPONSORSHIP, sponsorship)
        .await;
    assert_eq!(refused.error_code(), "BAD_USER_INPUT");
    assert_eq!(refused.error_field(), "input.idempotencyKey");
    // Nothing was recorded by either.
    let ledger = app
        .gql_as(
            &treasurer.access_token,
            "query($id: ID!) { node(id: $id) { ... on Sponsorship { contributions { totalCount } } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        ledger.data()["node"]["contributions"]["totalCount"],
        json!(0)
    );
}
