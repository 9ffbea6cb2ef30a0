//! Display consent belongs to the sponsor: withdrawing it hides the sponsor everywhere public, through renewals, and the migration that moved it onto the sponsor.

use api::auth::Role;
use chrono::Days;
use serde_json::{Value, json};
use tests::{
    TestApp,
    factories::{
        RECORD_SPONSORSHIP, a_person, a_person_with, a_sponsorship, an_api_token, an_organization,
        tier_id,
    },
};

use super::{LIST, days_ago, names, today};

#[tokio::test]
async fn a_sponsor_that_opted_out_appears_nowhere_public() {
    let app = TestApp::new().await;
    let treasurer = a_person_with(&app, "Tess", Role::Treasurer).await;
    let rep = a_person(&app, "Rita").await;
    let other = a_person(&app, "Other").await;
    let org = an_organization(&app, &rep, "Quiet Corp").await;
    let sponsorship = a_sponsorship(&org, "Gold")
        .undisclosed()
        .record(&app, &treasurer)
        .await;
    let token = an_api_token(&app, &other, &["SPONSORS_READ", "MEMBERS_READ"]).await;

    assert_eq!(
        app.gql(LIST, json!({})).await.data()["sponsors"]["totalCount"],
        json!(0)
    );
    for feed in ["/feeds/sponsors.json", "/feeds/sponsors.csv"] {
        let text = app
            .client
            .get(feed)
            .send()
            .await
            .0
            .into_body()
            .into_string()
            .await
            .expect("feed");
        assert!(!text.contains("Quiet"), "{feed}: {text}");
    }
    let directory = "{ memberships(class: SPONSOR) { totalCount } }";
    assert_eq!(
        app.gql(directory, json!({})).await.data()["memberships"]["totalCount"],
        json!(0)
    );
    assert_eq!(
        app.gql_as(&token, directory, json!({})).await.data()["memberships"]["totalCount"],
        json!(0)
    );
    let node = "query($id: ID!) { node(id: $id) { id } }";
    assert_eq!(
        app.gql(node, json!({ "id": sponsorship })).await.data()["node"],
        json!(null)
    );
    assert_eq!(
        app.gql_as(&other.access_token, node, json!({ "id": sponsorship }))
            .await
            .data()["node"],
        json!(null)
    );
    let activity = app
        .gql_as(&token, "{ sponsorActivities { totalCount } }", json!({}))
        .await;
    assert_eq!(activity.data()["sponsorActivities"]["totalCount"], json!(0));

    // The representative sees it, and gives consent: now it is public everywhere.
    assert!(
        app.gql_as(&rep.access_token, node, json!({ "id": sponsorship }))
            .await
            .data()["node"]
            .is_object()
    );
    let consent = "mutation($id: ID!, $disclose: Boolean!) { setSponsorshipDisclosure(input: { sponsorshipId: $id, disclose: $disclose }) { sponsorship { disclosed } } }";
    assert_eq!(
        app.gql_as(
            &other.access_token,
            consent,
            json!({ "id": sponsorship, "disclose": true })
        )
        .await
        .error_code(),
        "NOT_FOUND"
    );
    app.gql_as(
        &rep.access_token,
        consent,
        json!({ "id": sponsorship, "disclose": true }),
    )
    .await
    .data();
    assert_eq!(names(app.gql(LIST, json!({})).await.data()), ["Quiet Corp"]);
    assert_eq!(
        app.gql(directory, json!({})).await.data()["memberships"]["totalCount"],
        json!(1)
    );
}

#[tokio::test]
async fn an_opt_out_holds_through_renewal_and_hides_the_sponsors_history() {
    let app = TestApp::new().await;
    let treasurer = a_person_with(&app, "Tess", Role::Treasurer).await;
    let rep = a_person(&app, "Rita").await;
    let org = an_organization(&app, &rep, "Shy Corp").await;
    let first = a_sponsorship(&org, "Gold")
        .from(days_ago(363))
        .record(&app, &treasurer)
        .await;
    let sync = an_api_token(&app, &rep, &["SPONSORS_READ"]).await;
    let activity = "{ sponsorActivities { totalCount } }";
    let count = |response: tests::Gql| response.data()["sponsorActivities"]["totalCount"].clone();
    assert_eq!(
        count(app.gql_as(&sync, activity, json!({})).await),
        json!(1)
    );

    // The sponsor withdraws consent on its current sponsorship: its history goes too.
    let consent = "mutation($id: ID!) { setSponsorshipDisclosure(input: { sponsorshipId: $id, disclose: false }) { sponsorship { disclosed } } }";
    app.gql_as(&rep.access_token, consent, json!({ "id": first }))
        .await
        .data();
    assert_eq!(
        count(app.gql_as(&sync, activity, json!({})).await),
        json!(0)
    );

    // A renewal recorded without a word on consent keeps the opt-out.
    let tomorrow = today().checked_add_days(Days::new(1)).expect("date");
    let mut renewal = a_sponsorship(&org, "Gold")
        .from(tomorrow)
        .json(&tier_id(&app, "Gold").await);
    renewal["input"]
        .as_object_mut()
        .expect("input")
        .remove("disclose");
    app.gql_as(&treasurer.access_token, RECORD_SPONSORSHIP, renewal)
        .await
        .data();
    // A day passes: the first lapses, the renewal starts.
    app.sql(&format!(
        "UPDATE sponsorships SET ends_on = '{}' WHERE starts_on < '{}'",
        days_ago(1),
        today()
    ))
    .await;
    app.sql(&format!(
        "UPDATE sponsorships SET starts_on = '{}' WHERE starts_on > '{}'",
        today(),
        today()
    ))
    .await;
    api::sponsors::follow::catch_up(app.db())
        .await
        .expect("catch up");
    assert_eq!(
        app.gql(LIST, json!({})).await.data()["sponsors"]["totalCount"],
        json!(0)
    );
    let members = app
        .gql("{ memberships(class: SPONSOR) { totalCount } }", json!({}))
        .await;
    assert_eq!(members.data()["memberships"]["totalCount"], json!(0));
}

const CONSENT: &str = "mutation($id: ID!, $disclose: Boolean!) { setSponsorshipDisclosure(input: { sponsorshipId: $id, disclose: $disclose }) { sponsorship { disclosed } } }";

/// Everything public that could show a sponsor: (wall, JSON feed, CSV feed, activity feed,
/// public directory).
async fn public_views(app: &TestApp, sync: &str, name: &str) -> (usize, bool, bool, usize, u64) {
    let wall = app.gql(LIST, json!({})).await;
    let feed = |path: &'static str| async move {
        app.client
            .get(path)
            .send()
            .await
            .0
            .into_body()
            .into_string()
            .await
            .expect("feed")
    };
    let activity = app
        .gql_as(
            sync,
            "{ sponsorActivities(first: 100) { nodes { sponsor { displayName } } } }",
            json!({}),
        )
        .await;
    let mentions = activity.data()["sponsorActivities"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .filter(|n| n["sponsor"]["displayName"] == name)
        .count();
    let directory = app
        .gql("{ memberships(class: SPONSOR) { totalCount } }", json!({}))
        .await;
    (
        names(wall.data()).iter().filter(|n| **n == name).count(),
        feed("/feeds/sponsors.json").await.contains(name),
        feed("/feeds/sponsors.csv").await.contains(name),
        mentions,
        directory.data()["memberships"]["totalCount"]
            .as_u64()
            .expect("count"),
    )
}

/// The sponsor's own view of its consent: each sponsorship's `disclose`, and its membership's
/// `disclosed`.
async fn own_view(app: &TestApp, rep: &tests::factories::Person) -> (Vec<Value>, Value) {
    let seen = app
        .gql_as(
            &rep.access_token,
            "{ sponsorships { nodes { disclosed } } memberships(class: SPONSOR) { nodes { disclosed } } }",
            json!({}),
        )
        .await;
    (
        seen.data()["sponsorships"]["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .map(|n| n["disclosed"].clone())
            .collect(),
        seen.data()["memberships"]["nodes"][0]["disclosed"].clone(),
    )
}

#[tokio::test]
async fn withdrawing_consent_on_the_running_sponsorship_hides_the_sponsor_and_its_renewals() {
    let app = TestApp::new().await;
    let treasurer = a_person_with(&app, "Tess", Role::Treasurer).await;
    let rep = a_person(&app, "Rita").await;
    let org = an_organization(&app, &rep, "Shy Corp").await;
    let running = a_sponsorship(&org, "Gold")
        .from(days_ago(300))
        .record(&app, &treasurer)
        .await;
    let ends = days_ago(300)
        .checked_add_days(Days::new(364))
        .expect("date");
    let renewal = a_sponsorship(&org, "Gold")
        .from(ends)
        .record(&app, &treasurer)
        .await;
    let sync = an_api_token(&app, &treasurer, &["SPONSORS_READ"]).await;
    // Listed once, in both feeds, with NEW_SPONSORSHIP and RENEWAL, and in the directory.
    assert_eq!(
        public_views(&app, &sync, "Shy Corp").await,
        (1, true, true, 2, 1)
    );

    let withdrawn = app
        .gql_as(
            &rep.access_token,
            CONSENT,
            json!({ "id": running, "disclose": false }),
        )
        .await;
    assert_eq!(
        withdrawn.data()["setSponsorshipDisclosure"]["sponsorship"]["disclosed"],
        json!(false)
    );
    assert_eq!(
        public_views(&app, &sync, "Shy Corp").await,
        (0, false, false, 0, 0)
    );
    assert_eq!(
        own_view(&app, &rep).await,
        (vec![json!(false), json!(false)], json!(false))
    );

    // Given again, through the renewal: back everywhere.
    app.gql_as(
        &rep.access_token,
        CONSENT,
        json!({ "id": renewal, "disclose": true }),
    )
    .await
    .data();
    assert_eq!(
        public_views(&app, &sync, "Shy Corp").await,
        (1, true, true, 2, 1)
    );
    assert_eq!(
        own_view(&app, &rep).await,
        (vec![json!(true), json!(true)], json!(true))
    );
}

#[tokio::test]
async fn withdrawing_consent_on_a_sponsorship_not_yet_started_hides_the_running_one() {
    let app = TestApp::new().await;
    let treasurer = a_person_with(&app, "Tess", Role::Treasurer).await;
    let rep = a_person(&app, "Rita").await;
    let org = an_organization(&app, &rep, "Later Corp").await;
    a_sponsorship(&org, "Gold")
        .from(days_ago(10))
        .record(&app, &treasurer)
        .await;
    let next_year = a_sponsorship(&org, "Platinum")
        .from(days_ago(10).checked_add_days(Days::new(364)).expect("date"))
        .record(&app, &treasurer)
        .await;
    let sync = an_api_token(&app, &treasurer, &["SPONSORS_READ"]).await;
    app.gql_as(
        &rep.access_token,
        CONSENT,
        json!({ "id": next_year, "disclose": false }),
    )
    .await
    .data();
    assert_eq!(
        public_views(&app, &sync, "Later Corp").await,
        (0, false, false, 0, 0)
    );
    // The treasury still sees it all.
    let activity = app
        .gql_as(
            &treasurer.access_token,
            "{ sponsorActivities { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(activity.data()["sponsorActivities"]["totalCount"], json!(2));
}

#[tokio::test]
async fn a_sponsorship_recorded_with_disclose_sets_the_sponsors_consent() {
    let app = TestApp::new().await;
    let treasurer = a_person_with(&app, "Tess", Role::Treasurer).await;
    let rep = a_person(&app, "Rita").await;
    let org = an_organization(&app, &rep, "Turning Corp").await;
    a_sponsorship(&org, "Gold")
        .from(days_ago(10))
        .record(&app, &treasurer)
        .await;
    let sync = an_api_token(&app, &treasurer, &["SPONSORS_READ"]).await;
    assert_eq!(
        public_views(&app, &sync, "Turning Corp").await,
        (1, true, true, 1, 1)
    );
    // Next year's, recorded with `disclose: false`: the sponsor is hidden now, not next year.
    a_sponsorship(&org, "Gold")
        .from(days_ago(10).checked_add_days(Days::new(364)).expect("date"))
        .undisclosed()
        .record(&app, &treasurer)
        .await;
    assert_eq!(
        public_views(&app, &sync, "Turning Corp").await,
        (0, false, false, 0, 0)
    );
    assert_eq!(
        own_view(&app, &rep).await,
        (vec![json!(false), json!(false)], json!(false))
    );
    let admin = a_person_with(&app, "Root", Role::Admin).await;
    let audit = app
        .gql_as(&admin.access_token, "{ auditChain { intact } }", json!({}))
        .await;
    assert_eq!(audit.data()["auditChain"]["intact"], json!(true));
}

#[tokio::test]
async fn consent_stored_on_sponsorships_moves_to_the_sponsor() {
    use migration::SchemaManager;
    use sea_orm::EntityTrait;
    let app = TestApp::new().await;
    let treasurer = a_person_with(&app, "Tess", Role::Treasurer).await;
    let rep = a_person(&app, "Rita").await;
    let running = an_organization(&app, &rep, "Running Corp").await;
    let waiting = an_organization(&app, &rep, "Waiting Corp").await;
    a_sponsorship(&running, "Gold")
        .from(days_ago(10))
        .record(&app, &treasurer)
        .await;
    let later = days_ago(10).checked_add_days(Days::new(364)).expect("date");
    a_sponsorship(&running, "Gold")
        .from(later)
        .record(&app, &treasurer)
        .await;
    let soon = today().checked_add_days(Days::new(30)).expect("date");
    a_sponsorship(&waiting, "Silver")
        .from(soon)
        .until(soon.checked_add_days(Days::new(100)).expect("date"))
        .record(&app, &treasurer)
        .await;
    a_sponsorship(&waiting, "Silver")
        .from(soon.checked_add_days(Days::new(200)).expect("date"))
        .record(&app, &treasurer)
        .await;

    // Back to the schema before consent moved, with consent stored per sponsorship.
    let (connection, steps) = app
        .migration_steps(&[
            "m20261126_000202_fill_sponsor_consents",
            "m20261126_000203_drop_sponsorships_disclose",
            "m20261126_000204_shift_sponsorship_ends",
        ])
        .await;
    let manager = SchemaManager::new(&connection);
    for step in steps.iter().rev() {
        step.down(&manager).await.expect("down");
    }
    let key = |org: &str| {
        format!(
            "organization:{}",
            api::ids::decode(org).expect("an organization id").1
        )
    };
    // Running Corp opted out on its running sponsorship only; Waiting Corp, which has not
    // started, opted out on its earlier one only.
    app.sql(&format!(
        "UPDATE sponsorships SET disclose = (starts_on = '{}') WHERE sponsor_key = '{}'",
        later,
        key(&running)
    ))
    .await;
    app.sql(&format!(
        "UPDATE sponsorships SET disclose = (starts_on <> '{}') WHERE sponsor_key = '{}'",
        soon,
        key(&waiting)
    ))
    .await;
    for step in &steps {
        step.up(&manager)
            .await
            .unwrap_or_else(|e| panic!("{} {e:?}", step.name()));
    }

    let consents: Vec<(String, bool)> = entity::prelude::SponsorConsent::find()
        .all(app.db())
        .await
        .expect("consents")
        .into_iter()
        .map(|c| (c.sponsor_key, c.disclose))
        .collect();
    let mut expected = vec![(key(&running), false), (key(&waiting), true)];
    expected.sort();
    let mut consents = consents;
    consents.sort();
    assert_eq!(consents, expected);
    // The periods came back unchanged.
    let ends = app
        .gql_as(
            &treasurer.access_token,
            "query($id: ID!) { sponsorships(sponsorId: $id) { nodes { startsOn endsOn } } }",
            json!({ "id": running }),
        )
        .await;
    assert_eq!(
        ends.data()["sponsorships"]["nodes"][1],
        json!({ "startsOn": later.to_string(), "endsOn": later.checked_add_days(Days::new(364)).expect("date").to_string() })
    );
    assert_eq!(
        app.gql(LIST, json!({})).await.data()["sponsors"]["totalCount"],
        json!(0)
    );
}
