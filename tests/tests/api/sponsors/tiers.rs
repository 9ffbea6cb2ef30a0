//! Sponsor tiers: the defaults, and how the admin and treasurer shape and publish them.

use api::auth::Role;
use serde_json::json;
use tests::{
    TestApp,
    factories::{RECORD_SPONSORSHIP, a_person, a_person_with, a_sponsorship, an_organization},
};

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
        app.gql_as(&treasurer.access_token, create, input.clone())
            .await
            .error_code(),
        "CONFLICT"
    );
    // Names are unique ignoring case, as `sponsors(tierName:)` matches them.
    let mut shouted = input.clone();
    shouted["input"]["name"] = json!("BRONZE");
    assert_eq!(
        app.gql_as(&treasurer.access_token, create, shouted)
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
