//! The treasurer's ledger: who records sponsorships and contributions, exact money, refused input, paging the ledger, and the own-case rule.

use api::auth::Role;
use serde_json::{Value, json};
use tests::{
    TestApp,
    factories::{
        RECORD_SPONSORSHIP, a_person, a_person_with, a_sponsorship, an_api_token, an_organization,
        keyed, tier_id,
    },
};

use super::{days_ago, today};

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
    let contribution = |amount: &str| {
        keyed(
            json!({ "input": { "sponsorshipId": sponsorship["id"], "amountMinor": amount, "currency": "USD", "receivedOn": today().to_string(), "kind": "MONETARY", "note": "wire" } }),
        )
    };
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
                keyed(json!({ "input": { "sponsorshipId": id, "amountMinor": amount, "currency": "USD", "receivedOn": today().to_string(), "kind": "MONETARY" } })),
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
            keyed(json!({ "input": { "sponsorshipId": id, "amountMinor": amount, "currency": "USD", "receivedOn": days_ago(day).to_string(), "kind": "IN_KIND" } })),
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
            keyed(json!({ "input": {
                "organizationId": org, "tierId": tier, "amountMinor": amount, "currency": "USD",
                "startsOn": from, "endsOn": to,
            } })),
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
        .gql_as(&tess.access_token, contribute, keyed(contribution.clone()))
        .await;
    assert_eq!(refused.error_code(), "FORBIDDEN");
    assert_eq!(
        refused.error_message(),
        "You cannot record a contribution for yourself or an organization you represent; another treasurer or an administrator must."
    );
    for recorder in [&tom, &admin] {
        let recorded = app
            .gql_as(
                &recorder.access_token,
                contribute,
                keyed(contribution.clone()),
            )
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

#[tokio::test]
async fn totals_past_64_bits_stay_exact_and_amounts_are_bounded() {
    let app = TestApp::new().await;
    let treasurer = a_person_with(&app, "Tess", Role::Treasurer).await;
    let rep = a_person(&app, "Rita").await;
    let org = an_organization(&app, &rep, "HugeCo").await;
    let id = a_sponsorship(&org, "Gold").record(&app, &treasurer).await;
    let contribute = "mutation($input: RecordContributionInput!) { recordContribution(input: $input) { contribution { id } } }";
    let input = |amount: &str| {
        keyed(
            json!({ "input": { "sponsorshipId": id, "amountMinor": amount, "currency": "USD", "receivedOn": today().to_string(), "kind": "MONETARY" } }),
        )
    };
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
