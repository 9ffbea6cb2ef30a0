//! The committee console: contacting applicants, searching and sorting the lists a committee
//! works through, and finding an account by email.

use api::auth::Role;
use chrono::{Days, Utc};
use serde_json::{Value, json};
use tests::{
    TestApp,
    factories::{
        a_membership, a_person, a_person_with, a_sponsorship, an_account, an_organization,
        apply_as_contributor,
    },
};

const APPLICATION: &str = "query($id: ID!) { node(id: $id) { ... on Application { applicant { id displayName email } } } }";

#[tokio::test]
async fn the_reviewing_committee_and_the_applicant_see_the_applicant_s_email_nobody_else() {
    let app = TestApp::new().await;
    let committee = a_person_with(&app, "Mia", Role::MembershipCommittee).await;
    let technology = a_person_with(&app, "Tom", Role::TechnologyCommittee).await;
    let ada = a_person(&app, "Ada").await;
    let bo = a_person(&app, "Bo").await;
    let application = apply_as_contributor(&app, &ada).await;
    let expected = json!({ "id": ada.id, "displayName": "Ada", "email": ada.email });

    for viewer in [&committee, &ada] {
        let seen = app
            .gql_as(
                &viewer.access_token,
                APPLICATION,
                json!({ "id": application }),
            )
            .await;
        assert_eq!(seen.data()["node"]["applicant"], expected);
    }
    let listed = app
        .gql_as(
            &committee.access_token,
            "{ applications { nodes { applicant { email } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        listed.data()["applications"]["nodes"],
        json!([{ "applicant": { "email": ada.email } }])
    );
    // Another committee and a stranger do not see the application at all.
    for viewer in [&technology, &bo] {
        let hidden = app
            .gql_as(
                &viewer.access_token,
                APPLICATION,
                json!({ "id": application }),
            )
            .await;
        assert_eq!(hidden.data()["node"], json!(null));
    }
    // Elsewhere, the same account's email stays private.
    let elsewhere = app
        .gql_as(
            &committee.access_token,
            "query($id: ID!) { node(id: $id) { ... on Account { email } } }",
            json!({ "id": ada.id }),
        )
        .await;
    assert_eq!(elsewhere.data()["node"]["email"], json!(null));
}

/// The names on a page of `field`.
fn names(response: &tests::Gql, field: &str, path: &[&str]) -> Vec<String> {
    response.data()[field]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|node| {
            path.iter()
                .fold(node, |value, key| &value[*key])
                .as_str()
                .expect("a name")
                .to_owned()
        })
        .collect()
}

const APPLICATIONS: &str =
    "query($search: String, $orderBy: ApplicationOrder, $first: Int, $after: String) {
  applications(search: $search, orderBy: $orderBy, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } nodes { applicant { displayName } }
  }
}";

#[tokio::test]
async fn a_committee_searches_applications_by_name_and_pages_them_in_any_order() {
    let app = TestApp::new().await;
    let committee = a_person_with(&app, "Mia", Role::MembershipCommittee).await;
    for name in ["zoe Quinn", "Ada Lovelace", "Bo Adams", "Cy 100%"] {
        let person = a_person(&app, name).await;
        apply_as_contributor(&app, &person).await;
    }
    let search = |search: &str| {
        app.gql_as(
            &committee.access_token,
            APPLICATIONS,
            json!({ "search": search, "orderBy": { "field": "NAME" } }),
        )
    };
    let found = search("ADA").await;
    assert_eq!(
        names(&found, "applications", &["applicant", "displayName"]),
        ["Ada Lovelace", "Bo Adams"]
    );
    // `%` and `_` are plain characters.
    assert_eq!(
        names(
            &search("0%").await,
            "applications",
            &["applicant", "displayName"]
        ),
        ["Cy 100%"]
    );
    assert_eq!(
        search("_").await.data()["applications"]["totalCount"],
        json!(0)
    );

    // Names sorted Z to A, ignoring case, two at a time.
    let order = json!({ "field": "NAME", "direction": "DESC" });
    let first = app
        .gql_as(
            &committee.access_token,
            APPLICATIONS,
            json!({ "orderBy": order, "first": 2 }),
        )
        .await;
    assert_eq!(
        names(&first, "applications", &["applicant", "displayName"]),
        ["zoe Quinn", "Cy 100%"]
    );
    let cursor = first.data()["applications"]["pageInfo"]["endCursor"].clone();
    let second = app
        .gql_as(
            &committee.access_token,
            APPLICATIONS,
            json!({ "orderBy": order, "first": 2, "after": cursor }),
        )
        .await;
    assert_eq!(
        names(&second, "applications", &["applicant", "displayName"]),
        ["Bo Adams", "Ada Lovelace"]
    );
    assert_eq!(
        second.data()["applications"]["pageInfo"]["hasNextPage"],
        json!(false)
    );
    // A cursor belongs to its order.
    let mixed = app
        .gql_as(
            &committee.access_token,
            APPLICATIONS,
            json!({ "orderBy": { "field": "SUBMITTED_AT" }, "after": cursor }),
        )
        .await;
    assert_eq!(mixed.error_code(), "BAD_USER_INPUT");
    assert_eq!(mixed.error_field(), "after");
    let newest = app
        .gql_as(
            &committee.access_token,
            APPLICATIONS,
            json!({ "orderBy": { "field": "SUBMITTED_AT", "direction": "DESC" }, "first": 1 }),
        )
        .await;
    assert_eq!(
        names(&newest, "applications", &["applicant", "displayName"]),
        ["Cy 100%"]
    );
}

const MEMBERSHIPS: &str = "query($search: String, $orderBy: MembershipOrder, $last: Int, $before: String) {
  memberships(search: $search, orderBy: $orderBy, last: $last, before: $before) {
    totalCount pageInfo { hasPreviousPage startCursor } nodes { since holder { ... on Account { displayName } } }
  }
}";

#[tokio::test]
async fn the_directory_is_searched_by_name_and_sorted_by_name_or_since_in_both_directions() {
    let app = TestApp::new().await;
    let today = Utc::now().date_naive();
    for (name, days_ago) in [("Émile Zola", 3), ("ada Byron", 1), ("Bo Adams", 2)] {
        let account = an_account().named(name).create(&app).await;
        let membership = a_membership(&app, &account, "CONTRIBUTOR", true).await;
        let since = today - Days::new(days_ago);
        app.sql(&format!(
            "UPDATE memberships SET since = '{since}' WHERE holder_key = 'account:{}'",
            membership.holder_account_id.expect("an account holder")
        ))
        .await;
    }
    let query = |variables: Value| app.gql(MEMBERSHIPS, variables);
    let by_name = query(json!({ "orderBy": { "field": "NAME" } })).await;
    assert_eq!(
        names(&by_name, "memberships", &["holder", "displayName"]),
        ["ada Byron", "Bo Adams", "Émile Zola"]
    );
    let found = query(json!({ "search": "AdA" })).await;
    assert_eq!(
        names(&found, "memberships", &["holder", "displayName"]),
        ["ada Byron", "Bo Adams"]
    );
    // The last page, newest first, then the page before it.
    let order = json!({ "field": "SINCE", "direction": "DESC" });
    let last = query(json!({ "orderBy": order, "last": 1 })).await;
    assert_eq!(
        names(&last, "memberships", &["holder", "displayName"]),
        ["Émile Zola"]
    );
    let cursor = last.data()["memberships"]["pageInfo"]["startCursor"].clone();
    let before = query(json!({ "orderBy": order, "last": 5, "before": cursor })).await;
    assert_eq!(
        names(&before, "memberships", &["holder", "displayName"]),
        ["ada Byron", "Bo Adams"]
    );
    assert_eq!(
        before.data()["memberships"]["pageInfo"]["hasPreviousPage"],
        json!(false)
    );
}

const SPONSORSHIPS: &str = "query($status: SponsorshipStatus, $search: String, $orderBy: SponsorshipOrder) {
  sponsorships(status: $status, search: $search, orderBy: $orderBy) { totalCount nodes { status startsOn } }
}";

#[tokio::test]
async fn the_treasurer_filters_sponsorships_by_status_and_searches_and_sorts_them() {
    let app = TestApp::new().await;
    let treasurer = a_person_with(&app, "Tess", Role::Treasurer).await;
    let rep = a_person(&app, "Rep").await;
    let today = Utc::now().date_naive();
    let cloud = an_organization(&app, &rep, "CloudCo").await;
    let acme = an_organization(&app, &rep, "Acme Hosting").await;
    a_sponsorship(&cloud, "Gold").record(&app, &treasurer).await;
    a_sponsorship(&acme, "Silver")
        .from(today + Days::new(30))
        .record(&app, &treasurer)
        .await;
    let query = |variables: Value| app.gql_as(&treasurer.access_token, SPONSORSHIPS, variables);

    let pending = query(json!({ "status": "PENDING" })).await;
    assert_eq!(pending.data()["sponsorships"]["totalCount"], json!(1));
    assert_eq!(
        pending.data()["sponsorships"]["nodes"][0]["status"],
        json!("PENDING")
    );
    let active = query(json!({ "status": "ACTIVE", "search": "cloud" })).await;
    assert_eq!(active.data()["sponsorships"]["totalCount"], json!(1));
    let none = query(json!({ "status": "ACTIVE", "search": "acme" })).await;
    assert_eq!(none.data()["sponsorships"]["totalCount"], json!(0));
    let by_name = query(json!({ "orderBy": { "field": "NAME" } })).await;
    assert_eq!(
        by_name.data()["sponsorships"]["nodes"][0]["status"],
        json!("PENDING"),
        "Acme Hosting sorts first"
    );
    let by_start = query(json!({ "orderBy": { "field": "STARTS_ON", "direction": "DESC" } })).await;
    assert_eq!(
        by_start.data()["sponsorships"]["nodes"][0]["startsOn"],
        json!((today + Days::new(30)).to_string())
    );
    // A sponsor's representative sees only their own, searched or not.
    let other = a_person(&app, "Other").await;
    let theirs = app
        .gql_as(
            &other.access_token,
            SPONSORSHIPS,
            json!({ "search": "cloud" }),
        )
        .await;
    assert_eq!(theirs.data()["sponsorships"]["totalCount"], json!(0));
}

const BY_EMAIL: &str =
    "query($email: String!) { accountByEmail(email: $email) { id displayName email } }";

#[tokio::test]
async fn only_an_administrator_finds_an_account_by_email() {
    let app = TestApp::new().await;
    let admin = a_person_with(&app, "Root", Role::Admin).await;
    let ada = a_person(&app, "Ada").await;
    let found = app
        .gql_as(
            &admin.access_token,
            BY_EMAIL,
            json!({ "email": ada.email.to_uppercase() }),
        )
        .await;
    assert_eq!(
        found.data()["accountByEmail"],
        json!({ "id": ada.id, "displayName": "Ada", "email": ada.email })
    );
    let unknown = app
        .gql_as(
            &admin.access_token,
            BY_EMAIL,
            json!({ "email": "nobody@example.org" }),
        )
        .await;
    assert_eq!(unknown.data()["accountByEmail"], json!(null));
    let malformed = app
        .gql_as(&admin.access_token, BY_EMAIL, json!({ "email": "nobody" }))
        .await;
    assert_eq!(malformed.error_code(), "BAD_USER_INPUT");
    assert_eq!(malformed.error_field(), "email");

    let member = app
        .gql_as(&ada.access_token, BY_EMAIL, json!({ "email": ada.email }))
        .await;
    assert_eq!(member.error_code(), "FORBIDDEN");
    let anonymous = app.gql(BY_EMAIL, json!({ "email": ada.email })).await;
    assert_eq!(anonymous.error_code(), "UNAUTHENTICATED");
}
