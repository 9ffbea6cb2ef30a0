//! The public sponsor list and the activity feed integrations sync from: order, filters, paging both ways, statement counts, and reads that never write.

use api::auth::Role;
use chrono::Days;
use serde_json::{Value, json};
use tests::{
    TestApp,
    factories::{
        a_listed_sponsor, a_person, a_person_with, a_sponsorship, an_api_token, an_organization,
        tier_id,
    },
};

use super::{LIST, days_ago, names, today};

#[tokio::test]
async fn the_public_list_is_ordered_filtered_and_paged() {
    let app = TestApp::new().await;
    let treasurer = a_person_with(&app, "Tess", Role::Treasurer).await;
    let rep = a_person(&app, "Rita").await;
    let mut orgs = Vec::new();
    for name in ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot"] {
        orgs.push(an_organization(&app, &rep, name).await);
    }
    a_sponsorship(&orgs[0], "Gold")
        .from(days_ago(100))
        .record(&app, &treasurer)
        .await;
    a_sponsorship(&orgs[1], "Platinum")
        .from(days_ago(10))
        .record(&app, &treasurer)
        .await;
    a_sponsorship(&orgs[2], "Silver")
        .from(days_ago(300))
        .record(&app, &treasurer)
        .await;
    a_sponsorship(&orgs[3], "Gold")
        .from(days_ago(200))
        .record(&app, &treasurer)
        .await;
    // Opted out, and lapsed: neither is listed.
    a_sponsorship(&orgs[4], "Platinum")
        .undisclosed()
        .record(&app, &treasurer)
        .await;
    a_sponsorship(&orgs[5], "Gold")
        .from(days_ago(400))
        .until(days_ago(1))
        .paying("2400000")
        .record(&app, &treasurer)
        .await;

    let all = app.gql(LIST, json!({})).await;
    assert_eq!(names(all.data()), ["Bravo", "Delta", "Alpha", "Charlie"]);
    assert_eq!(all.data()["sponsors"]["totalCount"], json!(4));
    let first = &all.data()["sponsors"]["nodes"][0];
    assert_eq!(first["tier"]["name"], json!("Platinum"));
    assert_eq!(first["tier"]["rank"], json!(1));
    assert_eq!(first["sponsorSince"], json!(days_ago(10).to_string()));
    // `since` is the API contract's name for the same date.
    let contract = app
        .gql(
            "{ sponsors(first: 1) { nodes { since sponsorSince } } }",
            json!({}),
        )
        .await;
    let node = &contract.data()["sponsors"]["nodes"][0];
    assert_eq!(node["since"], json!(days_ago(10).to_string()));
    assert_eq!(node["since"], node["sponsorSince"]);
    assert_eq!(first["websiteUrl"], json!("https://bravo.example.com"));

    let gold = tier_id(&app, "Gold").await;
    assert_eq!(
        names(app.gql(LIST, json!({ "tier": gold })).await.data()),
        ["Delta", "Alpha"]
    );

    let page_one = app.gql(LIST, json!({ "first": 2 })).await;
    assert_eq!(names(page_one.data()), ["Bravo", "Delta"]);
    assert_eq!(
        page_one.data()["sponsors"]["pageInfo"]["hasNextPage"],
        json!(true)
    );
    let cursor = page_one.data()["sponsors"]["pageInfo"]["endCursor"].clone();

    // A new Gold sponsor arrives between the pages: the cursor still continues where it was.
    let newcomer = an_organization(&app, &rep, "Golf").await;
    a_sponsorship(&newcomer, "Gold")
        .record(&app, &treasurer)
        .await;
    let page_two = app.gql(LIST, json!({ "first": 2, "after": cursor })).await;
    assert_eq!(names(page_two.data()), ["Alpha", "Golf"]);
    let cursor = page_two.data()["sponsors"]["pageInfo"]["endCursor"].clone();
    let page_three = app.gql(LIST, json!({ "first": 2, "after": cursor })).await;
    assert_eq!(names(page_three.data()), ["Charlie"]);
    assert_eq!(
        page_three.data()["sponsors"]["pageInfo"]["hasNextPage"],
        json!(false)
    );

    assert_eq!(
        app.gql(LIST, json!({ "first": 101 })).await.error_field(),
        "first"
    );
    assert_eq!(
        app.gql(LIST, json!({ "after": "bogus" }))
            .await
            .error_field(),
        "after"
    );
}

#[tokio::test]
async fn integrations_sync_sponsor_activity_with_sponsors_read() {
    let app = TestApp::new().await;
    let treasurer = a_person_with(&app, "Tess", Role::Treasurer).await;
    let rep = a_person(&app, "Rita").await;
    let org = an_organization(&app, &rep, "CloudCo").await;
    let lapsed = an_organization(&app, &rep, "Oldtimer").await;
    // Silver up to today, and Gold from today on: a tier change.
    a_sponsorship(&org, "Silver")
        .from(days_ago(365))
        .until(today())
        .paying("250000")
        .record(&app, &treasurer)
        .await;
    a_sponsorship(&org, "Gold").record(&app, &treasurer).await;
    a_sponsorship(&lapsed, "Silver")
        .from(days_ago(400))
        .until(days_ago(50))
        .paying("250000")
        .record(&app, &treasurer)
        .await;
    let activities = "query($since: DateTime) { sponsorActivities(since: $since, first: 50) { nodes { kind sponsor { displayName tier { name } } previousTier { name } } } }";
    assert_eq!(
        app.gql(activities, json!({})).await.error_code(),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        app.gql_as(
            &an_api_token(&app, &rep, &["MEMBERS_READ"]).await,
            activities,
            json!({})
        )
        .await
        .error_code(),
        "FORBIDDEN"
    );
    assert_eq!(
        app.gql_as(&rep.access_token, activities, json!({}))
            .await
            .error_code(),
        "FORBIDDEN"
    );

    let sync = an_api_token(&app, &rep, &["SPONSORS_READ"]).await;
    let kinds_of = |response: &tests::Gql| -> Vec<(String, String)> {
        let mut kinds: Vec<(String, String)> = response.data()["sponsorActivities"]["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .map(|n| {
                (
                    n["kind"].as_str().unwrap_or_default().to_owned(),
                    n["sponsor"]["displayName"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                )
            })
            .collect();
        kinds.sort();
        kinds
    };
    let pairs = |list: &[(&str, &str)]| -> Vec<(String, String)> {
        let mut pairs: Vec<_> = list
            .iter()
            .map(|(kind, name)| ((*kind).to_owned(), (*name).to_owned()))
            .collect();
        pairs.sort();
        pairs
    };
    let feed = app.gql_as(&sync, activities, json!({})).await;
    let kinds = kinds_of(&feed);
    assert_eq!(
        kinds,
        pairs(&[
            ("NEW_SPONSORSHIP", "CloudCo"),
            ("LAPSED", "CloudCo"),
            ("TIER_CHANGE", "CloudCo"),
            ("NEW_SPONSORSHIP", "Oldtimer"),
            ("LAPSED", "Oldtimer"),
        ])
    );
    let change = feed.data()["sponsorActivities"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .find(|n| n["kind"] == "TIER_CHANGE")
        .cloned()
        .expect("a tier change");
    assert_eq!(change["previousTier"], json!({ "name": "Silver" }));
    // Asking again records nothing twice.
    let again = app.gql_as(&sync, activities, json!({})).await;
    assert_eq!(kinds_of(&again), kinds);
    // `since` leaves out what came before: Oldtimer lapsed 50 days ago; everything else was
    // recorded today, or (CloudCo's Silver) lapsed at the start of today.
    let recent = app
        .gql_as(
            &sync,
            activities,
            json!({ "since": format!("{}T00:00:00Z", days_ago(10)) }),
        )
        .await;
    assert_eq!(
        kinds_of(&recent),
        pairs(&[
            ("NEW_SPONSORSHIP", "CloudCo"),
            ("LAPSED", "CloudCo"),
            ("TIER_CHANGE", "CloudCo"),
            ("NEW_SPONSORSHIP", "Oldtimer"),
        ])
    );
    let lapsed_at = app
        .gql_as(
            &sync,
            activities,
            json!({ "since": format!("{}T00:00:01Z", today()) }),
        )
        .await;
    assert_eq!(
        kinds_of(&lapsed_at),
        pairs(&[
            ("NEW_SPONSORSHIP", "CloudCo"),
            ("TIER_CHANGE", "CloudCo"),
            ("NEW_SPONSORSHIP", "Oldtimer"),
        ])
    );
}

#[tokio::test]
async fn a_page_of_100_sponsors_takes_two_statements() {
    let app = TestApp::new().await;
    let tiers: Vec<uuid::Uuid> = {
        let mut ids = Vec::new();
        for name in ["Platinum", "Gold", "Silver"] {
            ids.push(
                api::ids::decode(&tier_id(&app, name).await)
                    .expect("a tier id")
                    .1,
            );
        }
        ids
    };
    for i in 0..120u64 {
        let tier = tiers[usize::try_from(i % 3).expect("index")];
        a_listed_sponsor(&app, &format!("Sponsor {i:03}"), tier, days_ago(i + 1)).await;
    }
    app.reset_statement_count();
    let page = app.gql(LIST, json!({ "first": 100 })).await;
    assert_eq!(
        page.data()["sponsors"]["nodes"].as_array().map(Vec::len),
        Some(100)
    );
    assert_eq!(page.data()["sponsors"]["totalCount"], json!(120));
    assert_eq!(app.statement_count(), 2, "a count and one joined page");
}

/// Everything a read could write: row counts, and the rows that follow the calendar.
#[derive(Debug, PartialEq)]
struct Snapshot {
    audit_events: u64,
    rows: u64,
    memberships: Vec<entity::membership::Model>,
    sponsorships: Vec<entity::sponsorship::Model>,
}

async fn snapshot(app: &TestApp) -> Snapshot {
    use sea_orm::{EntityTrait, PaginatorTrait, QueryOrder};
    let db = app.db();
    let count = |n: Result<u64, sea_orm::DbErr>| n.expect("count");
    Snapshot {
        audit_events: count(entity::prelude::AuditEvent::find().count(db).await),
        rows: count(entity::prelude::Membership::find().count(db).await)
            + count(entity::prelude::SponsorActivity::find().count(db).await)
            + count(entity::prelude::Sponsorship::find().count(db).await)
            + count(entity::prelude::Contribution::find().count(db).await),
        memberships: entity::prelude::Membership::find()
            .order_by_asc(entity::membership::Column::Id)
            .all(db)
            .await
            .expect("memberships"),
        sponsorships: entity::prelude::Sponsorship::find()
            .order_by_asc(entity::sponsorship::Column::Id)
            .all(db)
            .await
            .expect("sponsorships"),
    }
}

#[tokio::test]
async fn reading_sponsors_with_an_api_token_writes_nothing_even_when_the_calendar_moved() {
    let app = TestApp::new().await;
    let treasurer = a_person_with(&app, "Tess", Role::Treasurer).await;
    let rep = a_person(&app, "Rita").await;
    let running = an_organization(&app, &rep, "Running Co").await;
    let later = an_organization(&app, &rep, "Later Co").await;
    let ending = an_organization(&app, &rep, "Ending Co").await;
    a_sponsorship(&running, "Gold")
        .record(&app, &treasurer)
        .await;
    let tomorrow = today().checked_add_days(Days::new(1)).expect("date");
    a_sponsorship(&later, "Silver")
        .from(tomorrow)
        .record(&app, &treasurer)
        .await;
    a_sponsorship(&ending, "Silver")
        .from(days_ago(300))
        .record(&app, &treasurer)
        .await;
    let sync = an_api_token(&app, &rep, &["SPONSORS_READ"]).await;
    let read = "{ sponsors(first: 100) { totalCount nodes { displayName } }
                  sponsorActivities(first: 100) { totalCount nodes { kind sponsor { displayName } } } }";

    let before = snapshot(&app).await;
    app.gql_as(&sync, read, json!({})).await.data();
    assert_eq!(snapshot(&app).await, before, "a read wrote");

    // The calendar moves: one sponsorship starts, one runs out. The old read path would have
    // granted a membership and recorded a lapse here.
    app.sql(&format!(
        "UPDATE sponsorships SET starts_on = '{}', sponsor_since = '{}' WHERE starts_on > '{}'",
        today(),
        today(),
        today()
    ))
    .await;
    app.sql(&format!(
        "UPDATE sponsorships SET ends_on = '{}' WHERE starts_on = '{}'",
        days_ago(1),
        days_ago(300)
    ))
    .await;
    let before = snapshot(&app).await;
    let seen = app.gql_as(&sync, read, json!({})).await;
    assert_eq!(seen.data()["sponsors"]["totalCount"], json!(2));
    let again = app.gql_as(&sync, read, json!({})).await;
    assert_eq!(again.data(), seen.data());
    assert_eq!(snapshot(&app).await, before, "a read wrote");

    // The job does the writing, and the feed shows it.
    let done = api::sponsors::follow::catch_up(app.db())
        .await
        .expect("catch up")
        .expect("no other replica holds the job's lock");
    assert_eq!(done.lapses_recorded, 1);
    let after = snapshot(&app).await;
    assert_ne!(after, before);
    let feed = app.gql_as(&sync, read, json!({})).await;
    assert!(
        feed.data()["sponsorActivities"]["nodes"]
            .as_array()
            .expect("nodes")
            .contains(&json!({ "kind": "LAPSED", "sponsor": { "displayName": "Ending Co" } })),
        "{:#}",
        feed.body
    );
    assert_eq!(snapshot(&app).await, after, "a read wrote");
}

#[tokio::test]
async fn the_public_list_pages_backward_too() {
    let app = TestApp::new().await;
    let treasurer = a_person_with(&app, "Tess", Role::Treasurer).await;
    let rep = a_person(&app, "Rita").await;
    for (name, tier, since) in [
        ("Alpha", "Gold", 100),
        ("Bravo", "Platinum", 10),
        ("Charlie", "Silver", 300),
        ("Delta", "Gold", 200),
    ] {
        let org = an_organization(&app, &rep, name).await;
        a_sponsorship(&org, tier)
            .from(days_ago(since))
            .record(&app, &treasurer)
            .await;
    }
    let backward = "query($last: Int, $before: String) {
      sponsors(last: $last, before: $before) {
        totalCount pageInfo { hasPreviousPage hasNextPage startCursor }
        nodes { displayName }
      }
    }";
    let tail = app.gql(backward, json!({ "last": 2 })).await;
    assert_eq!(names(tail.data()), ["Alpha", "Charlie"]);
    assert_eq!(
        tail.data()["sponsors"]["pageInfo"]["hasPreviousPage"],
        json!(true)
    );
    let cursor = tail.data()["sponsors"]["pageInfo"]["startCursor"].clone();
    let head = app
        .gql(backward, json!({ "last": 2, "before": cursor }))
        .await;
    assert_eq!(names(head.data()), ["Bravo", "Delta"]);
    let info = &head.data()["sponsors"]["pageInfo"];
    assert_eq!(info["hasPreviousPage"], json!(false));
    assert_eq!(info["hasNextPage"], json!(true));
    assert_eq!(
        app.gql(LIST, json!({ "first": 2, "after": "bogus" }))
            .await
            .error_field(),
        "after"
    );
}

#[tokio::test]
async fn a_sponsor_keeps_one_public_id_that_activity_shares_and_a_tier_filters_by_name() {
    let app = TestApp::new().await;
    let treasurer = a_person_with(&app, "Tess", Role::Treasurer).await;
    let rep = a_person(&app, "Rita").await;
    let cloud = an_organization(&app, &rep, "CloudCo").await;
    let acme = an_organization(&app, &rep, "Acme").await;
    // CloudCo moves from Silver to Gold today: two sponsorships, one sponsor.
    a_sponsorship(&cloud, "Silver")
        .from(days_ago(365))
        .until(today())
        .paying("250000")
        .record(&app, &treasurer)
        .await;
    a_sponsorship(&cloud, "Gold").record(&app, &treasurer).await;
    a_sponsorship(&acme, "Silver")
        .from(days_ago(3))
        .record(&app, &treasurer)
        .await;

    let list = app.gql(LIST, json!({})).await;
    let nodes = list.data()["sponsors"]["nodes"].as_array().expect("nodes");
    assert_eq!(names(list.data()), ["CloudCo", "Acme"]);
    let (cloud_id, acme_id) = (&nodes[0]["id"], &nodes[1]["id"]);
    assert_ne!(cloud_id, acme_id);
    assert_eq!(nodes[0]["tier"]["id"], json!(tier_id(&app, "Gold").await));

    // Every activity of CloudCo, under either sponsorship, names the same sponsor.
    let sync = an_api_token(&app, &rep, &["SPONSORS_READ"]).await;
    let activity = app
        .gql_as(
            &sync,
            "{ sponsorActivities(first: 50) { nodes { kind sponsor { id displayName tier { id } } } } }",
            json!({}),
        )
        .await;
    let entries = activity.data()["sponsorActivities"]["nodes"]
        .as_array()
        .expect("nodes");
    let cloud_entries: Vec<&Value> = entries
        .iter()
        .filter(|entry| entry["sponsor"]["displayName"] == json!("CloudCo"))
        .collect();
    assert!(cloud_entries.len() >= 2, "{activity:#?}");
    assert!(
        cloud_entries
            .iter()
            .all(|entry| &entry["sponsor"]["id"] == cloud_id)
    );

    // The same ID tomorrow, from the feed as from the query.
    let feed: Value = app
        .client
        .get("/feeds/sponsors.json")
        .send()
        .await
        .0
        .into_body()
        .into_json()
        .await
        .expect("json");
    assert_eq!(&feed["sponsors"][0]["id"], cloud_id);

    // One query filters by the tier's name, ignoring case; a name no tier has is an error that
    // names the argument, not an empty list that looks like "no sponsors".
    let by_name = "query($name: String) { sponsors(tierName: $name) { totalCount nodes { id displayName } } }";
    for name in ["Silver", "silver", " SILVER "] {
        let silver = app.gql(by_name, json!({ "name": name })).await;
        assert_eq!(
            silver.data()["sponsors"]["nodes"],
            json!([{ "id": acme_id, "displayName": "Acme" }]),
            "{name}"
        );
        assert_eq!(silver.data()["sponsors"]["totalCount"], json!(1));
    }
    let unknown = app.gql(by_name, json!({ "name": "Golden" })).await;
    assert_eq!(unknown.error_code(), "BAD_USER_INPUT");
    assert_eq!(unknown.error_field(), "tierName");
    assert!(
        unknown.body["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("Golden")),
        "{}",
        unknown.body
    );
}
