//! One name per event: the activity feed's `event`, the webhook subscription and the payload's
//! `type` name a sponsor's change the same way, renewals included.

use chrono::{Days, Utc};
use serde_json::json;
use tests::{
    TestApp,
    factories::{a_sponsorship, an_api_token},
    notifications::{WAIT, a_foundation, a_receiver_of, fast},
};

#[tokio::test]
async fn a_sponsor_that_begins_and_renews_is_told_by_one_name_each_everywhere() {
    let app = TestApp::with_config(fast).await;
    let f = a_foundation(&app).await;
    let (receiver, _) = a_receiver_of(
        &app,
        &f.admin,
        &[
            "SPONSORSHIP_CREATED",
            "SPONSORSHIP_RENEWED",
            "SPONSORSHIP_TIER_CHANGED",
        ],
    )
    .await;
    // A year of Silver that began 364 days ago, renewed at Silver today.
    let today = Utc::now().date_naive();
    let began = today.checked_sub_days(Days::new(364)).expect("a date");
    a_sponsorship(&f.org, "Silver")
        .from(began)
        .record(&app, &f.treasurer)
        .await;
    let renewed_on = began.checked_add_days(Days::new(364)).expect("a date");
    a_sponsorship(&f.org, "Silver")
        .from(renewed_on)
        .record(&app, &f.treasurer)
        .await;

    let got = receiver.wait_for(2, WAIT).await;
    // Delivery is unordered (docs/integrators.md): the names matter here, not their order.
    let mut types: Vec<String> = got
        .iter()
        .map(|hook| hook.json()["type"].as_str().expect("a type").to_owned())
        .collect();
    types.sort();
    assert_eq!(types, ["sponsorship.created", "sponsorship.renewed"]);

    let sync = an_api_token(&app, &f.treasurer, &["SPONSORS_READ"]).await;
    let feed = app
        .gql_as(
            &sync,
            "{ sponsorActivities(first: 10) { nodes { event kind } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        feed.data()["sponsorActivities"]["nodes"],
        json!([
            { "event": "SPONSORSHIP_CREATED", "kind": "NEW_SPONSORSHIP" },
            // The first year ended today, as the renewal began.
            { "event": "SPONSORSHIP_LAPSED", "kind": "LAPSED" },
            { "event": "SPONSORSHIP_RENEWED", "kind": "RENEWAL" },
        ])
    );
}
