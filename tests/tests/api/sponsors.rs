//! Sponsors: tiers, the treasurer's ledger, the public list and its feeds, and the Sponsor
//! membership that follows a sponsorship.

use api::auth::Role;
use chrono::{Days, NaiveDate, Utc};
use serde_json::{Value, json};
use tests::{
    TestApp,
    factories::{
        RECORD_SPONSORSHIP, a_listed_sponsor, a_person, a_person_with, a_sponsorship, an_api_token,
        an_organization, tier_id,
    },
};

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

fn days_ago(n: u64) -> NaiveDate {
    today().checked_sub_days(Days::new(n)).expect("date")
}

const LIST: &str = "query($tier: ID, $first: Int, $after: String) {
  sponsors(tier: $tier, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id displayName websiteUrl logoUrl sponsorSince tier { id name rank } }
  }
}";

fn names(response: &Value) -> Vec<&str> {
    response["sponsors"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|node| node["displayName"].as_str().unwrap_or_default())
        .collect()
}

#[tokio::test]
async fn a_fresh_database_holds_the_default_tiers() {
    let app = TestApp::new().await;
    let tiers = app
        .gql("{ sponsorTiers { name rank voteWeight minimumYearly { amountMinor currency formatted } } }", json!({}))
        .await;
    assert_eq!(
        tiers.data()["sponsorTiers"],
        json!([
            { "name": "Platinum", "rank": 1, "voteWeight": 50, "minimumYearly": { "amountMinor": "10000000", "currency": "USD", "formatted": "100,000.00 USD" } },
            { "name": "Gold", "rank": 2, "voteWeight": 15, "minimumYearly": { "amountMinor": "2000000", "currency": "USD", "formatted": "20,000.00 USD" } },
            { "name": "Silver", "rank": 3, "voteWeight": 5, "minimumYearly": { "amountMinor": "250000", "currency": "USD", "formatted": "2,500.00 USD" } },
            { "name": "Community", "rank": 4, "voteWeight": 1, "minimumYearly": { "amountMinor": "0", "currency": "USD", "formatted": "0.00 USD" } },
        ])
    );
}

#[tokio::test]
async fn only_the_treasurer_or_an_admin_records_sponsorships_and_contributions() {
    let app = TestApp::new().await;
    let treasurer = a_person_with(&app, "Tess", Role::Treasurer).await;
    let admin = a_person_with(&app, "Root", Role::Admin).await;
    let rep = a_person(&app, "Rita").await;
    let org = an_organization(&app, &rep, "CloudCo").await;
    let other = an_organization(&app, &rep, "OtherCo").await;
    let input = a_sponsorship(&org, "Gold").json(&tier_id(&app, "Gold").await);
    let token = an_api_token(&app, &rep, &["SPONSORS_READ"]).await;
    assert_eq!(
        app.gql(RECORD_SPONSORSHIP, input.clone())
            .await
            .error_code(),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        app.gql_as(&rep.access_token, RECORD_SPONSORSHIP, input.clone())
            .await
            .error_code(),
        "FORBIDDEN"
    );
    assert_eq!(
        app.gql_as(&token, RECORD_SPONSORSHIP, input.clone())
            .await
            .error_code(),
        "FORBIDDEN"
    );
    let recorded = app
        .gql_as(&treasurer.access_token, RECORD_SPONSORSHIP, input)
        .await;
    let sponsorship = recorded.data()["recordSponsorship"]["sponsorship"].clone();
    assert_eq!(sponsorship["status"], json!("ACTIVE"));
    // An ADMIN may record one too.
    let by_admin = app
        .gql_as(
            &admin.access_token,
            RECORD_SPONSORSHIP,
            a_sponsorship(&other, "Silver").json(&tier_id(&app, "Silver").await),
        )
        .await;
    assert_eq!(
        by_admin.data()["recordSponsorship"]["sponsorship"]["status"],
        json!("ACTIVE")
    );

    let contribute = "mutation($input: RecordContributionInput!) { recordContribution(input: $input) { contribution { id amount { amountMinor } kind } } }";
    let contribution = |amount: &str| json!({ "input": { "sponsorshipId": sponsorship["id"], "amountMinor": amount, "currency": "USD", "receivedOn": today().to_string(), "kind": "MONETARY", "note": "wire" } });
    assert_eq!(
        app.gql_as(&rep.access_token, contribute, contribution("2000000"))
            .await
            .error_code(),
        "FORBIDDEN"
    );
    app.gql_as(&treasurer.access_token, contribute, contribution("1500000"))
        .await
        .data();
    app.gql_as(&admin.access_token, contribute, contribution("500000"))
        .await
        .data();
}

#[tokio::test]
async fn money_stays_exact_past_two_to_the_53() {
    let app = TestApp::new().await;
    let treasurer = a_person_with(&app, "Tess", Role::Treasurer).await;
    let rep = a_person(&app, "Rita").await;
    let org = an_organization(&app, &rep, "BigCo").await;
    let mut sponsorship = a_sponsorship(&org, "Platinum");
    sponsorship.amount_minor = "1000000000000000".into();
    let id = sponsorship.record(&app, &treasurer).await;
    let contribute = "mutation($input: RecordContributionInput!) { recordContribution(input: $input) { contribution { amount { amountMinor } } } }";
    // Nine of the largest amounts and one more: 9,007,199,254,740,993 in all, past 2^53.
    let amounts = ["1000000000000000"; 9].into_iter().chain(["7199254740993"]);
    for amount in amounts {
        let response = app
            .gql_as(
                &treasurer.access_token,
                contribute,
                json!({ "input": { "sponsorshipId": id, "amountMinor": amount, "currency": "USD", "receivedOn": today().to_string(), "kind": "MONETARY" } }),
            )
            .await;
        assert_eq!(
            response.data()["recordContribution"]["contribution"]["amount"]["amountMinor"],
            json!(amount)
        );
    }
    let read = app
        .gql_as(
            &rep.access_token,
            "query($id: ID!) { node(id: $id) { ... on Sponsorship { amount { amountMinor formatted } contributed { amountMinor formatted } contributions { totalCount } } } }",
            json!({ "id": id }),
        )
        .await;
    let node = &read.data()["node"];
    assert_eq!(node["amount"]["amountMinor"], json!("1000000000000000"));
    assert_eq!(
        node["amount"]["formatted"],
        json!("10,000,000,000,000.00 USD")
    );
    assert_eq!(
        node["contributed"],
        json!({ "amountMinor": "9007199254740993", "formatted": "90,071,992,547,409.93 USD" })
    );
    assert_eq!(node["contributions"]["totalCount"], json!(10));
    let totals = app
        .gql_as(
            &treasurer.access_token,
            "query($id: ID!) { sponsorTotals(sponsorId: $id) { amountMinor currency } }",
            json!({ "id": org }),
        )
        .await;
    assert_eq!(
        totals.data()["sponsorTotals"],
        json!([{ "amountMinor": "9007199254740993", "currency": "USD" }])
    );
}

#[tokio::test]
async fn every_bad_sponsorship_is_refused_naming_the_field() {
    let app = TestApp::new().await;
    let treasurer = a_person_with(&app, "Tess", Role::Treasurer).await;
    let rep = a_person(&app, "Rita").await;
    let org = an_organization(&app, &rep, "CloudCo").await;
    let gold = tier_id(&app, "Gold").await;
    let try_input = |change: &dyn Fn(&mut Value)| {
        let mut input = a_sponsorship(&org, "Gold").json(&gold);
        change(&mut input["input"]);
        app.gql_as(&treasurer.access_token, RECORD_SPONSORSHIP, input)
    };
    type Change<'a> = Box<dyn Fn(&mut Value) + 'a>;
    let cases: Vec<(&str, Change<'_>)> = vec![
        (
            "input.amountMinor",
            Box::new(|i| i["amountMinor"] = json!("1999999")),
        ),
        (
            "input.amountMinor",
            Box::new(|i| i["amountMinor"] = json!("-5")),
        ),
        (
            "input.amountMinor",
            Box::new(|i| i["amountMinor"] = json!("92233720368547758070")),
        ),
        (
            "input.amountMinor",
            Box::new(|i| i["amountMinor"] = json!("20000.00")),
        ),
        ("input.currency", Box::new(|i| i["currency"] = json!("ZZZ"))),
        ("input.currency", Box::new(|i| i["currency"] = json!("EUR"))),
        (
            "input.endsOn",
            Box::new(|i| i["endsOn"] = json!("2000-01-01")),
        ),
        (
            "input.organizationId",
            Box::new(|i| i["accountId"] = json!(rep.id)),
        ),
        ("input.tierId", Box::new(|i| i["tierId"] = json!(rep.id))),
    ];
    for (field, change) in &cases {
        let response = try_input(change.as_ref()).await;
        assert_eq!(
            response.error_code(),
            "BAD_USER_INPUT",
            "{field}: {:#}",
            response.body
        );
        assert_eq!(response.error_field(), *field, "{:#}", response.body);
    }
    // A period must end after it starts.
    let empty = try_input(&|i| i["endsOn"] = i["startsOn"].clone()).await;
    assert_eq!(empty.error_field(), "input.endsOn", "{:#}", empty.body);
    // Above the largest amount accepted, 10^15 minor units.
    let huge = try_input(&|i| i["amountMinor"] = json!("1000000000000001")).await;
    assert_eq!(huge.error_code(), "BAD_USER_INPUT");
    assert_eq!(huge.error_field(), "input.amountMinor");
    // A one-month period pays a twelfth of the yearly minimum, rounded up to the cent.
    let month = try_input(&|i| {
        i["endsOn"] = json!(
            today()
                .checked_add_months(chrono::Months::new(1))
                .expect("date")
                .to_string()
        );
        i["amountMinor"] = json!("166667");
    })
    .await;
    month.data();
    // Periods of one sponsor may not overlap.
    assert_eq!(try_input(&|_| {}).await.error_code(), "CONFLICT");
}

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
async fn the_feeds_carry_the_list_with_an_etag_and_escape_csv() {
    let app = TestApp::new().await;
    let treasurer = a_person_with(&app, "Tess", Role::Treasurer).await;
    let rep = a_person(&app, "Rita").await;
    let tricky = an_organization(&app, &rep, "Acme Rockets").await;
    a_sponsorship(&tricky, "Silver")
        .record(&app, &treasurer)
        .await;
    // The API refuses control characters in names; the feed must survive them all the same.
    let newline = match app.backend() {
        sea_orm::DbBackend::Postgres => "chr(10)",
        _ => "char(10)",
    };
    app.sql(&format!(
        "UPDATE organizations SET name = 'Acme, \"Rockets\"' || {newline} || 'and Co'"
    ))
    .await;

    let json_feed = app.client.get("/feeds/sponsors.json").send().await;
    json_feed.assert_status_is_ok();
    let etag = json_feed
        .0
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .expect("etag")
        .to_owned();
    assert!(json_feed.0.headers().get("cache-control").is_some());
    let body: Value = json_feed.0.into_body().into_json().await.expect("json");
    let listed = app.gql(LIST, json!({ "first": 100 })).await;
    assert_eq!(body["sponsors"], listed.data()["sponsors"]["nodes"]);

    let again = app
        .client
        .get("/feeds/sponsors.json")
        .header("if-none-match", &etag)
        .send()
        .await;
    assert_eq!(again.0.status(), 304);

    let csv = app.client.get("/feeds/sponsors.csv").send().await;
    csv.assert_status_is_ok();
    let text = csv.0.into_body().into_string().await.expect("csv");
    let since = today().to_string();
    let id = listed.data()["sponsors"]["nodes"][0]["id"]
        .as_str()
        .expect("an id");
    assert_eq!(
        text,
        format!(
            "displayName,websiteUrl,logoUrl,sponsorSince,tier,tierRank,id\r\n\
             \"Acme, \"\"Rockets\"\"\nand Co\",https://acmerockets.example.com,,{since},Silver,3,{id}\r\n"
        )
    );

    // The list changes, and so does the ETag.
    let other = an_organization(&app, &rep, "Zeta").await;
    a_sponsorship(&other, "Gold").record(&app, &treasurer).await;
    let changed = app
        .client
        .get("/feeds/sponsors.json")
        .header("if-none-match", &etag)
        .send()
        .await;
    assert_eq!(changed.0.status(), 200);
    assert_ne!(
        changed
            .0
            .headers()
            .get("etag")
            .and_then(|v| v.to_str().ok()),
        Some(etag.as_str())
    );
}

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

#[tokio::test]
async fn the_sponsor_membership_follows_the_sponsorship_through_lapse() {
    let app = TestApp::new().await;
    let treasurer = a_person_with(&app, "Tess", Role::Treasurer).await;
    let rep = a_person(&app, "Rita").await;
    let org = an_organization(&app, &rep, "CloudCo").await;
    let membership = "{ memberships(class: SPONSOR) { nodes { status voteWeight expiresOn holder { ... on Organization { name } } } } }";

    // Active Gold: an ACTIVE Sponsor membership with Gold's weight, whose last day is the
    // sponsorship's.
    let current = a_sponsorship(&org, "Gold").from(days_ago(30));
    let ends = current
        .ends_on
        .checked_sub_days(Days::new(1))
        .expect("date");
    let id = current.record(&app, &treasurer).await;
    let seen = app.gql(membership, json!({})).await;
    assert_eq!(
        seen.data()["memberships"]["nodes"],
        json!([{ "status": "ACTIVE", "voteWeight": 15, "expiresOn": ends.to_string(), "holder": { "name": "CloudCo" } }])
    );

    // Cancelled, with no other sponsorship: the membership lapses into grace...
    let cancel = "mutation($id: ID!) { cancelSponsorship(input: { sponsorshipId: $id, reason: \"Budget cut\" }) { sponsorship { status } } }";
    let cancelled = app
        .gql_as(&treasurer.access_token, cancel, json!({ "id": id }))
        .await;
    assert_eq!(
        cancelled.data()["cancelSponsorship"]["sponsorship"]["status"],
        json!("CANCELLED")
    );
    assert_eq!(
        app.gql(membership, json!({})).await.data()["memberships"]["nodes"][0]["status"],
        json!("GRACE")
    );
    // ...and expires once the grace period has passed.
    app.sql(&format!(
        "UPDATE memberships SET ends_on = '{}' WHERE class_key = 'SPONSOR'",
        days_ago(31)
    ))
    .await;
    assert_eq!(
        app.gql(membership, json!({})).await.data()["memberships"]["nodes"][0]["status"],
        json!("EXPIRED")
    );

    // A new sponsorship renews it, at the new tier's weight.
    a_sponsorship(&org, "Platinum")
        .record(&app, &treasurer)
        .await;
    let renewed = app.gql(membership, json!({})).await;
    assert_eq!(
        renewed.data()["memberships"]["nodes"][0]["status"],
        json!("ACTIVE")
    );
    assert_eq!(
        renewed.data()["memberships"]["nodes"][0]["voteWeight"],
        json!(50)
    );

    // One that simply ran out lapses the same way.
    let rep2 = a_person(&app, "Sam").await;
    let person_sponsor = json!({ "input": {
        "accountId": rep2.id, "tierId": tier_id(&app, "Silver").await, "amountMinor": "250000", "currency": "USD",
        "startsOn": days_ago(365).to_string(), "endsOn": days_ago(1).to_string(),
    } });
    app.gql_as(&treasurer.access_token, RECORD_SPONSORSHIP, person_sponsor)
        .await
        .data();
    let by_person = app
        .gql(
            "{ memberships(class: SPONSOR, status: GRACE) { nodes { voteWeight holder { ... on Account { displayName } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        by_person.data()["memberships"]["nodes"],
        json!([{ "voteWeight": 5, "holder": { "displayName": "Sam" } }])
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
async fn tiers_are_shaped_by_admin_or_treasurer_and_only_published_ones_are_offered() {
    let app = TestApp::new().await;
    let treasurer = a_person_with(&app, "Tess", Role::Treasurer).await;
    let rep = a_person(&app, "Rita").await;
    let create = "mutation($input: CreateSponsorTierInput!) { createSponsorTier(input: $input) { tier { id name state } } }";
    let input = json!({ "input": { "name": "Bronze", "rank": 5, "minimumYearlyMinor": "50000", "currency": "USD", "voteWeight": 2, "benefits": ["Thanks in the release notes"] } });
    assert_eq!(
        app.gql_as(&rep.access_token, create, input.clone())
            .await
            .error_code(),
        "FORBIDDEN"
    );
    let created = app
        .gql_as(&treasurer.access_token, create, input.clone())
        .await;
    let bronze = created.data()["createSponsorTier"]["tier"]["id"].clone();
    assert_eq!(
        created.data()["createSponsorTier"]["tier"]["state"],
        json!("DRAFT")
    );
    assert_eq!(
        app.gql_as(&treasurer.access_token, create, input)
            .await
            .error_code(),
        "CONFLICT"
    );

    let tiers = "{ sponsorTiers { name } }";
    assert!(
        !app.gql(tiers, json!({}))
            .await
            .body
            .to_string()
            .contains("Bronze")
    );
    assert_eq!(
        app.gql(r#"{ sponsorTiers(state: DRAFT) { name } }"#, json!({}))
            .await
            .error_code(),
        "FORBIDDEN"
    );
    let org = an_organization(&app, &rep, "SmallCo").await;
    let mut sponsorship = a_sponsorship(&org, "Silver").json(bronze.as_str().expect("id"));
    sponsorship["input"]["amountMinor"] = json!("50000");
    assert_eq!(
        app.gql_as(
            &treasurer.access_token,
            RECORD_SPONSORSHIP,
            sponsorship.clone()
        )
        .await
        .error_field(),
        "input.tierId"
    );

    let update = "mutation($input: UpdateSponsorTierInput!) { updateSponsorTier(input: $input) { tier { state voteWeight } } }";
    let published = app
        .gql_as(
            &treasurer.access_token,
            update,
            json!({ "input": { "id": bronze, "state": "PUBLISHED" } }),
        )
        .await;
    assert_eq!(
        published.data()["updateSponsorTier"]["tier"],
        json!({ "state": "PUBLISHED", "voteWeight": 2 })
    );
    assert!(
        app.gql(tiers, json!({}))
            .await
            .body
            .to_string()
            .contains("Bronze")
    );
    app.gql_as(&treasurer.access_token, RECORD_SPONSORSHIP, sponsorship)
        .await
        .data();

    app.gql_as(
        &treasurer.access_token,
        update,
        json!({ "input": { "id": bronze, "state": "RETIRED" } }),
    )
    .await
    .data();
    let other = an_organization(&app, &rep, "LateCo").await;
    let mut late = a_sponsorship(&other, "Silver").json(bronze.as_str().expect("id"));
    late["input"]["amountMinor"] = json!("50000");
    assert_eq!(
        app.gql_as(&treasurer.access_token, RECORD_SPONSORSHIP, late)
            .await
            .error_field(),
        "input.tierId"
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

#[tokio::test]
async fn a_sponsorship_that_starts_later_brings_its_membership_on_its_day() {
    let app = TestApp::new().await;
    let treasurer = a_person_with(&app, "Tess", Role::Treasurer).await;
    let rep = a_person(&app, "Rita").await;
    let org = an_organization(&app, &rep, "FutureCo").await;
    let tomorrow = today().checked_add_days(Days::new(1)).expect("date");
    let id = a_sponsorship(&org, "Gold")
        .from(tomorrow)
        .record(&app, &treasurer)
        .await;
    let status = "query($id: ID!) { node(id: $id) { ... on Sponsorship { status } } }";
    assert_eq!(
        app.gql_as(&treasurer.access_token, status, json!({ "id": id }))
            .await
            .data()["node"]["status"],
        json!("PENDING")
    );
    let members = "{ memberships(class: SPONSOR) { totalCount } }";
    assert_eq!(
        app.gql(members, json!({})).await.data()["memberships"]["totalCount"],
        json!(0)
    );
    assert_eq!(
        app.gql(LIST, json!({})).await.data()["sponsors"]["totalCount"],
        json!(0)
    );

    // The day comes.
    app.sql(&format!(
        "UPDATE sponsorships SET starts_on = '{}', sponsor_since = '{}'",
        today(),
        today()
    ))
    .await;
    assert_eq!(
        app.gql(LIST, json!({})).await.data()["sponsors"]["totalCount"],
        json!(1)
    );
    // The periodic catch-up (every replica runs it) grants the membership, once however often it
    // runs.
    api::sponsors::follow::catch_up(app.db())
        .await
        .expect("catch up");
    api::sponsors::follow::catch_up(app.db())
        .await
        .expect("catch up again");
    assert_eq!(
        app.gql(members, json!({})).await.data()["memberships"]["totalCount"],
        json!(1)
    );
    let admin = a_person_with(&app, "Root", Role::Admin).await;
    let chain = app
        .gql_as(&admin.access_token, "{ auditChain { intact } }", json!({}))
        .await;
    assert_eq!(chain.data()["auditChain"]["intact"], json!(true));
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
async fn a_contribution_ledger_pages_both_ways_in_the_order_received() {
    let app = TestApp::new().await;
    let treasurer = a_person_with(&app, "Tess", Role::Treasurer).await;
    let rep = a_person(&app, "Rita").await;
    let org = an_organization(&app, &rep, "Ledger Co").await;
    let id = a_sponsorship(&org, "Gold")
        .from(days_ago(30))
        .record(&app, &treasurer)
        .await;
    let contribute = "mutation($input: RecordContributionInput!) { recordContribution(input: $input) { contribution { id } } }";
    // Recorded out of order: the ledger reads by the day received.
    for (amount, day) in [("300", 3), ("100", 10), ("200", 5), ("400", 1)] {
        app.gql_as(
            &treasurer.access_token,
            contribute,
            json!({ "input": { "sponsorshipId": id, "amountMinor": amount, "currency": "USD", "receivedOn": days_ago(day).to_string(), "kind": "IN_KIND" } }),
        )
        .await
        .data();
    }
    let ledger = "query($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
      node(id: $id) { ... on Sponsorship {
        contributions(first: $first, after: $after, last: $last, before: $before) {
          totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
          nodes { amount { amountMinor } kind }
        }
      } }
    }";
    let amounts = |response: &tests::Gql| -> Vec<String> {
        response.data()["node"]["contributions"]["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .map(|n| {
                n["amount"]["amountMinor"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect()
    };
    let first = app
        .gql_as(
            &treasurer.access_token,
            ledger,
            json!({ "id": id, "first": 3 }),
        )
        .await;
    assert_eq!(amounts(&first), ["100", "200", "300"]);
    assert_eq!(
        first.data()["node"]["contributions"]["totalCount"],
        json!(4)
    );
    assert_eq!(
        first.data()["node"]["contributions"]["nodes"][0]["kind"],
        json!("IN_KIND")
    );
    let cursor = first.data()["node"]["contributions"]["pageInfo"]["endCursor"].clone();
    let rest = app
        .gql_as(
            &treasurer.access_token,
            ledger,
            json!({ "id": id, "first": 3, "after": cursor }),
        )
        .await;
    assert_eq!(amounts(&rest), ["400"]);
    let last = app
        .gql_as(
            &treasurer.access_token,
            ledger,
            json!({ "id": id, "last": 2 }),
        )
        .await;
    assert_eq!(amounts(&last), ["300", "400"]);
    let cursor = last.data()["node"]["contributions"]["pageInfo"]["startCursor"].clone();
    let earlier = app
        .gql_as(
            &treasurer.access_token,
            ledger,
            json!({ "id": id, "last": 2, "before": cursor }),
        )
        .await;
    assert_eq!(amounts(&earlier), ["100", "200"]);
}

#[tokio::test]
async fn a_sponsorship_with_an_unknown_stored_status_is_an_error_not_a_default() {
    let app = TestApp::new().await;
    let treasurer = a_person_with(&app, "Tess", Role::Treasurer).await;
    let rep = a_person(&app, "Rita").await;
    let org = an_organization(&app, &rep, "Odd Co").await;
    let id = a_sponsorship(&org, "Gold").record(&app, &treasurer).await;
    app.sql("UPDATE sponsorships SET status = 'PAUSED'").await;
    let status = "query($id: ID!) { node(id: $id) { ... on Sponsorship { status } } }";
    assert_eq!(
        app.gql_as(&treasurer.access_token, status, json!({ "id": id }))
            .await
            .error_code(),
        "INTERNAL_SERVER_ERROR"
    );
    let cancel = "mutation($id: ID!) { cancelSponsorship(input: { sponsorshipId: $id, reason: \"Budget\" }) { sponsorship { status } } }";
    assert_eq!(
        app.gql_as(&treasurer.access_token, cancel, json!({ "id": id }))
            .await
            .error_code(),
        "INTERNAL_SERVER_ERROR"
    );
}

/// The treasurer's first real sequence: a year of Gold, its renewal, and half a year of Silver.
#[tokio::test]
async fn a_year_from_a_date_to_the_same_date_is_one_year_at_the_yearly_minimum() {
    let app = TestApp::new().await;
    let treasurer = a_person_with(&app, "Tess", Role::Treasurer).await;
    let rep = a_person(&app, "Rita").await;
    let cloud = an_organization(&app, &rep, "CloudCo").await;
    let short = an_organization(&app, &rep, "ShortCo").await;
    let small = an_organization(&app, &rep, "SmallCo").await;
    let gold = tier_id(&app, "Gold").await;
    let silver = tier_id(&app, "Silver").await;
    let record = |org: &str, tier: &str, from: &str, to: &str, amount: &str| {
        app.gql_as(
            &treasurer.access_token,
            RECORD_SPONSORSHIP,
            json!({ "input": {
                "organizationId": org, "tierId": tier, "amountMinor": amount, "currency": "USD",
                "startsOn": from, "endsOn": to,
            } }),
        )
    };

    let year = record(&cloud, &gold, "2026-11-25", "2027-11-25", "2000000").await;
    assert_eq!(
        year.data()["recordSponsorship"]["sponsorship"]["amount"]["formatted"],
        json!("20,000.00 USD")
    );
    // The renewal starts on the day the first year ends: no overlap, one unbroken run.
    let renewal = record(&cloud, &gold, "2027-11-25", "2028-11-25", "2000000").await;
    renewal.data();

    let below = record(&short, &gold, "2026-11-25", "2027-11-25", "1999999").await;
    assert_eq!(below.error_code(), "BAD_USER_INPUT");
    assert_eq!(below.error_field(), "input.amountMinor");
    assert_eq!(
        below.error_message(),
        "The amount is below 20,000.00 USD, the Gold tier's yearly minimum for a period of 12 months."
    );
    // One day more is a thirteenth month, owed in full.
    let longer = record(&short, &gold, "2026-11-25", "2027-11-26", "2000000").await;
    assert_eq!(longer.error_field(), "input.amountMinor");

    let half = record(&small, &silver, "2026-11-25", "2027-05-25", "125000").await;
    assert_eq!(
        half.data()["recordSponsorship"]["sponsorship"]["amount"]["formatted"],
        json!("1,250.00 USD")
    );
}

#[tokio::test]
async fn no_treasurer_records_money_for_themselves_or_their_organization() {
    let app = TestApp::new().await;
    let tess = a_person_with(&app, "Tess", Role::Treasurer).await;
    let tom = a_person_with(&app, "Tom", Role::Treasurer).await;
    let admin = a_person_with(&app, "Root", Role::Admin).await;
    let own = an_organization(&app, &tess, "Tess Consulting").await;
    let gold = tier_id(&app, "Gold").await;
    let for_org = a_sponsorship(&own, "Gold").json(&gold);
    let mut for_self = a_sponsorship(&own, "Platinum").json(&tier_id(&app, "Platinum").await);
    for_self["input"]
        .as_object_mut()
        .expect("input")
        .remove("organizationId");
    for_self["input"]["accountId"] = json!(tess.id);

    for input in [&for_self, &for_org] {
        let refused = app
            .gql_as(&tess.access_token, RECORD_SPONSORSHIP, input.clone())
            .await;
        assert_eq!(refused.error_code(), "FORBIDDEN", "{:#}", refused.body);
        assert_eq!(
            refused.error_message(),
            "You cannot record a sponsorship for yourself or an organization you represent; another treasurer or an administrator must."
        );
    }
    // Nothing was written: no sponsorship, no membership.
    assert_eq!(
        app.gql_as(
            &admin.access_token,
            "{ sponsorships { totalCount } }",
            json!({})
        )
        .await
        .data()["sponsorships"]["totalCount"],
        json!(0)
    );

    // Another treasurer records the organization's, an ADMIN Tess's own.
    let org_sponsorship = app
        .gql_as(&tom.access_token, RECORD_SPONSORSHIP, for_org)
        .await;
    let org_sponsorship = org_sponsorship.data()["recordSponsorship"]["sponsorship"]["id"].clone();
    app.gql_as(&admin.access_token, RECORD_SPONSORSHIP, for_self)
        .await
        .data();

    let contribute = "mutation($input: RecordContributionInput!) { recordContribution(input: $input) { contribution { amount { formatted } } } }";
    let contribution = json!({ "input": { "sponsorshipId": org_sponsorship, "amountMinor": "2000000", "currency": "USD", "receivedOn": "2026-11-25", "kind": "MONETARY" } });
    let refused = app
        .gql_as(&tess.access_token, contribute, contribution.clone())
        .await;
    assert_eq!(refused.error_code(), "FORBIDDEN");
    assert_eq!(
        refused.error_message(),
        "You cannot record a contribution for yourself or an organization you represent; another treasurer or an administrator must."
    );
    for recorder in [&tom, &admin] {
        let recorded = app
            .gql_as(&recorder.access_token, contribute, contribution.clone())
            .await;
        assert_eq!(
            recorded.data()["recordContribution"]["contribution"]["amount"]["formatted"],
            json!("20,000.00 USD")
        );
    }
    let totals = app
        .gql_as(
            &tom.access_token,
            "query($id: ID!) { sponsorTotals(sponsorId: $id) { formatted } }",
            json!({ "id": own }),
        )
        .await;
    assert_eq!(
        totals.data()["sponsorTotals"],
        json!([{ "formatted": "40,000.00 USD" }])
    );
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

#[tokio::test]
async fn totals_past_64_bits_stay_exact_and_amounts_are_bounded() {
    let app = TestApp::new().await;
    let treasurer = a_person_with(&app, "Tess", Role::Treasurer).await;
    let rep = a_person(&app, "Rita").await;
    let org = an_organization(&app, &rep, "HugeCo").await;
    let id = a_sponsorship(&org, "Gold").record(&app, &treasurer).await;
    let contribute = "mutation($input: RecordContributionInput!) { recordContribution(input: $input) { contribution { id } } }";
    let input = |amount: &str| json!({ "input": { "sponsorshipId": id, "amountMinor": amount, "currency": "USD", "receivedOn": today().to_string(), "kind": "MONETARY" } });
    let refused = app
        .gql_as(
            &treasurer.access_token,
            contribute,
            input("1000000000000001"),
        )
        .await;
    assert_eq!(refused.error_code(), "BAD_USER_INPUT");
    assert_eq!(refused.error_field(), "input.amountMinor");
    assert_eq!(
        refused.error_message(),
        "The amount is above the largest accepted, 1000000000000000 minor units."
    );
    app.gql_as(
        &treasurer.access_token,
        contribute,
        input("1000000000000000"),
    )
    .await
    .data();
    // Two entries of 2^63 - 1 written before the bound (as an attacker once did).
    app.sql(&format!(
        "UPDATE contributions SET amount_minor = {}",
        i64::MAX
    ))
    .await;
    let copy = format!(
        "INSERT INTO contributions (id, sponsorship_id, amount_minor, currency, received_on, kind, note, recorded_by, created_at) \
         SELECT '{}', sponsorship_id, amount_minor, currency, received_on, kind, note, recorded_by, created_at FROM contributions",
        uuid::Uuid::now_v7()
    );
    app.sql(&copy).await;
    let totals = app
        .gql_as(
            &treasurer.access_token,
            "query($org: ID!, $id: ID!) {
               sponsorTotals(sponsorId: $org) { amountMinor formatted }
               node(id: $id) { ... on Sponsorship { contributed { amountMinor } } }
             }",
            json!({ "org": org, "id": id }),
        )
        .await;
    assert_eq!(
        totals.data()["sponsorTotals"],
        json!([{ "amountMinor": "18446744073709551614", "formatted": "184,467,440,737,095,516.14 USD" }])
    );
    assert_eq!(
        totals.data()["node"]["contributed"]["amountMinor"],
        json!("18446744073709551614")
    );
}

#[tokio::test]
async fn the_csv_feed_neutralises_cells_a_spreadsheet_would_run() {
    let app = TestApp::new().await;
    let treasurer = a_person_with(&app, "Tess", Role::Treasurer).await;
    let rep = a_person(&app, "Rita").await;
    let names = [
        "=HYPERLINK(\"https://evil.example\",\"Click\")",
        "+1 Sponsors",
        "-Minus",
        "@Handle",
        "\tTabbed",
        "Plain Co",
    ];
    for (index, name) in names.iter().enumerate() {
        let org = an_organization(&app, &rep, &format!("Org {index}")).await;
        a_sponsorship(&org, "Silver")
            .from(days_ago(u64::try_from(index).expect("index") + 1))
            .record(&app, &treasurer)
            .await;
        app.sql(&format!(
            "UPDATE organizations SET name = '{}' WHERE name = 'Org {index}'",
            name.replace('\'', "''")
        ))
        .await;
    }
    let csv = app.client.get("/feeds/sponsors.csv").send().await;
    csv.assert_status_is_ok();
    let text = csv.0.into_body().into_string().await.expect("csv");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(text.as_bytes());
    assert_eq!(
        reader.headers().expect("headers"),
        vec![
            "displayName",
            "websiteUrl",
            "logoUrl",
            "sponsorSince",
            "tier",
            "tierRank",
            "id"
        ]
    );
    let cells: Vec<String> = reader
        .records()
        .map(|record| record.expect("a record")[0].to_owned())
        .collect();
    // Oldest support first within the tier.
    assert_eq!(
        cells,
        [
            "Plain Co",
            "'\tTabbed",
            "'@Handle",
            "'-Minus",
            "'+1 Sponsors",
            "'=HYPERLINK(\"https://evil.example\",\"Click\")",
        ]
    );
    // The JSON feed is data, not a spreadsheet: it keeps the names as they are.
    let json_feed: Value = app
        .client
        .get("/feeds/sponsors.json")
        .send()
        .await
        .0
        .into_body()
        .into_json()
        .await
        .expect("json");
    assert_eq!(json_feed["sponsors"][5]["displayName"], json!(names[0]));
}

#[tokio::test]
async fn concurrent_catch_ups_grant_one_membership_with_one_audit_entry() {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let app = TestApp::new().await;
    let treasurer = a_person_with(&app, "Tess", Role::Treasurer).await;
    let rep = a_person(&app, "Rita").await;
    let org = an_organization(&app, &rep, "Racing Co").await;
    let tomorrow = today().checked_add_days(Days::new(1)).expect("date");
    a_sponsorship(&org, "Gold")
        .from(tomorrow)
        .record(&app, &treasurer)
        .await;
    // The day comes.
    app.sql(&format!(
        "UPDATE sponsorships SET starts_on = '{}', sponsor_since = '{}'",
        today(),
        today()
    ))
    .await;
    let jobs: Vec<_> = (0..6)
        .map(|_| {
            let db = app.db().clone();
            tokio::spawn(async move { api::sponsors::follow::catch_up(&db).await })
        })
        .collect();
    let reads = futures_util::future::join_all((0..6).map(|_| {
        app.gql(
            "{ sponsors { totalCount } memberships(class: SPONSOR) { totalCount } }",
            json!({}),
        )
    }));
    let (jobs, reads) = tokio::join!(futures_util::future::join_all(jobs), reads);
    for read in &reads {
        assert_eq!(read.data()["sponsors"]["totalCount"], json!(1));
    }
    let followed: usize = jobs
        .into_iter()
        .map(|job| job.expect("the task ran").expect("no CONFLICT, no error"))
        .map(|done| done.map_or(0, |done| done.sponsors_followed))
        .sum();
    assert_eq!(followed, 1);
    let memberships = entity::prelude::Membership::find()
        .all(app.db())
        .await
        .expect("memberships");
    assert_eq!(memberships.len(), 1);
    let entries: Vec<String> = entity::prelude::AuditEvent::find()
        .filter(entity::audit_event::Column::SubjectId.eq(memberships[0].id))
        .all(app.db())
        .await
        .expect("audit")
        .into_iter()
        .map(|event| event.action.name())
        .collect();
    assert_eq!(entries, ["membership.created"]);
    let admin = a_person_with(&app, "Root", Role::Admin).await;
    let chain = app
        .gql_as(&admin.access_token, "{ auditChain { intact } }", json!({}))
        .await;
    assert_eq!(chain.data()["auditChain"]["intact"], json!(true));
}

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

    // One query filters by the tier's name; an unknown name lists no one.
    let by_name = "query($name: String) { sponsors(tierName: $name) { totalCount nodes { id displayName } } }";
    let silver = app.gql(by_name, json!({ "name": "Silver" })).await;
    assert_eq!(
        silver.data()["sponsors"]["nodes"],
        json!([{ "id": acme_id, "displayName": "Acme" }])
    );
    assert_eq!(silver.data()["sponsors"]["totalCount"], json!(1));
    let none = app.gql(by_name, json!({ "name": "Wood" })).await;
    assert_eq!(none.data()["sponsors"]["totalCount"], json!(0));
}
