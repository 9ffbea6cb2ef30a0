//! The member directory: public fields for everyone, non-disclosed members for nobody but the
//! committees and themselves, no emails, and a constant number of statements per page.

use api::auth::Role;
use serde_json::{Value, json};
use tests::{
    TestApp,
    factories::{
        a_contributor, a_membership, a_mirror, a_person, a_person_with, an_account, an_api_token,
        check_mirror, review,
    },
};

const DIRECTORY: &str = "{ memberships(first: 100) { totalCount nodes {
  id status since expiresOn voteWeight disclosed class { key name }
  holder { __typename ... on Account { displayName email } ... on Organization { name } }
} } }";

fn names(response: &Value) -> Vec<String> {
    let mut names: Vec<String> = response["memberships"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|node| {
            node["holder"]["displayName"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn a_non_disclosed_member_is_seen_only_by_committees_and_itself() {
    let app = TestApp::new().await;
    let committee = a_person_with(&app, "Mia", Role::MembershipCommittee).await;
    let treasurer = a_person_with(&app, "Tess", Role::Treasurer).await;
    let admin = a_person_with(&app, "Root", Role::Admin).await;
    a_contributor(&app, "Ada", &committee).await;
    let quiet = a_person(&app, "Quiet").await;
    let application = tests::factories::apply(
        &app,
        &quiet,
        json!({ "class": "CONTRIBUTOR", "statement": "Please keep me private.", "disclose": false }),
    )
    .await;
    let approved = review(&app, &committee, &application, "APPROVE", None).await;
    let quiet_membership = approved.data()["reviewApplication"]["membership"]["id"].clone();
    let other = a_person(&app, "Other").await;
    let token = an_api_token(&app, &other, &["MEMBERS_READ"]).await;

    let anonymous = app.gql(DIRECTORY, json!({})).await;
    assert_eq!(names(anonymous.data()), ["Ada"]);
    assert_eq!(anonymous.data()["memberships"]["totalCount"], json!(1));
    assert_eq!(
        names(
            app.gql_as(&other.access_token, DIRECTORY, json!({}))
                .await
                .data()
        ),
        ["Ada"]
    );
    assert_eq!(
        names(app.gql_as(&token, DIRECTORY, json!({})).await.data()),
        ["Ada"]
    );
    assert_eq!(
        names(
            app.gql_as(&admin.access_token, DIRECTORY, json!({}))
                .await
                .data()
        ),
        ["Ada"]
    );
    assert_eq!(
        names(
            app.gql_as(&quiet.access_token, DIRECTORY, json!({}))
                .await
                .data()
        ),
        ["Ada", "Quiet"]
    );
    assert_eq!(
        names(
            app.gql_as(&committee.access_token, DIRECTORY, json!({}))
                .await
                .data()
        ),
        ["Ada", "Quiet"]
    );
    assert_eq!(
        names(
            app.gql_as(&treasurer.access_token, DIRECTORY, json!({}))
                .await
                .data()
        ),
        ["Ada", "Quiet"]
    );

    // Nor can a node lookup reach it.
    let node = "query($id: ID!) { node(id: $id) { id } }";
    assert_eq!(
        app.gql(node, json!({ "id": quiet_membership }))
            .await
            .data()["node"],
        json!(null)
    );
    assert_eq!(
        app.gql_as(&other.access_token, node, json!({ "id": quiet_membership }))
            .await
            .data()["node"],
        json!(null)
    );
    assert!(
        app.gql_as(&quiet.access_token, node, json!({ "id": quiet_membership }))
            .await
            .data()["node"]
            .is_object()
    );
}

#[tokio::test]
async fn the_directory_never_shows_emails_to_anonymous_callers_or_other_members() {
    let app = TestApp::new().await;
    let committee = a_person_with(&app, "Mia", Role::MembershipCommittee).await;
    let (ada, _) = a_contributor(&app, "Ada", &committee).await;
    let other = a_person(&app, "Other").await;
    for response in [
        app.gql(DIRECTORY, json!({})).await,
        app.gql_as(&other.access_token, DIRECTORY, json!({})).await,
        app.gql_as(&committee.access_token, DIRECTORY, json!({}))
            .await,
    ] {
        let text = response.data().to_string();
        assert!(!text.contains(&ada.email), "{text}");
        assert!(!text.contains("@example.org"), "{text}");
    }
    let own = app.gql_as(&ada.access_token, DIRECTORY, json!({})).await;
    assert_eq!(
        own.data()["memberships"]["nodes"][0]["holder"]["email"],
        json!(ada.email)
    );
}

#[tokio::test]
async fn an_api_token_needs_members_read() {
    let app = TestApp::new().await;
    let ada = a_person(&app, "Ada").await;
    let sponsors_only = an_api_token(&app, &ada, &["SPONSORS_READ"]).await;
    assert_eq!(
        app.gql_as(&sponsors_only, DIRECTORY, json!({}))
            .await
            .error_code(),
        "FORBIDDEN"
    );
    // Nor can it reach a membership through `node`.
    let account = an_account().named("Listed").create(&app).await;
    let listed = a_membership(&app, &account, "CONTRIBUTOR", true).await;
    let id = api::ids::id_of::<api::members::types::Membership>(listed.id).to_string();
    let node = "query($id: ID!) { node(id: $id) { id } }";
    let hidden = app.gql_as(&sponsors_only, node, json!({ "id": id })).await;
    assert_eq!(hidden.data()["node"], json!(null));
    assert!(app.gql(node, json!({ "id": id })).await.data()["node"].is_object());
    let members = an_api_token(&app, &ada, &["MEMBERS_READ"]).await;
    app.gql_as(&members, DIRECTORY, json!({})).await.data();
}

#[tokio::test]
async fn a_directory_page_takes_the_same_statements_for_10_or_100_members() {
    let app = TestApp::new().await;
    let count_for_page = |_: ()| async {
        app.reset_statement_count();
        let response = app.gql(DIRECTORY, json!({})).await;
        response.data();
        (
            app.statement_count(),
            response.data()["memberships"]["nodes"]
                .as_array()
                .map(Vec::len),
        )
    };
    for i in 0..10 {
        let account = an_account()
            .named(&format!("Member {i}"))
            .create(&app)
            .await;
        a_membership(&app, &account, "CONTRIBUTOR", true).await;
    }
    let (ten, ten_rows) = count_for_page(()).await;
    assert_eq!(ten_rows, Some(10));
    for i in 10..120 {
        let account = an_account()
            .named(&format!("Member {i}"))
            .create(&app)
            .await;
        a_membership(
            &app,
            &account,
            if i % 2 == 0 { "CONTRIBUTOR" } else { "MIRROR" },
            true,
        )
        .await;
    }
    let (hundred, hundred_rows) = count_for_page(()).await;
    assert_eq!(hundred_rows, Some(100));
    assert_eq!(ten, hundred, "statements grew with the page size");
    assert!(hundred <= 6, "{hundred} statements for one directory page");
}

const MIRRORS: &str = "{ mirrors(first: 100) { totalCount nodes { hostName status } } }";

#[tokio::test]
async fn a_mirror_overdue_for_its_recheck_is_stale_and_no_longer_listed() {
    let app = TestApp::new().await;
    let tom = a_person_with(&app, "Tom", Role::TechnologyCommittee).await;
    let ada = a_person(&app, "Ada").await;
    let other = a_person(&app, "Other").await;
    let mirror = a_mirror(&app, &ada, "mirror.ada.example.org", None).await;
    check_mirror(&app, &tom, &mirror, "VERIFIED").await.data();
    let listed = json!({ "totalCount": 1, "nodes": [{ "hostName": "mirror.ada.example.org", "status": "VERIFIED" }] });
    assert_eq!(app.gql(MIRRORS, json!({})).await.data()["mirrors"], listed);

    // Thirteen months pass without a check; the policy asks for one every twelve.
    let checked = chrono::Utc::now()
        .checked_sub_months(chrono::Months::new(13))
        .expect("date")
        .format("%Y-%m-%d %H:%M:%S+00:00");
    app.sql(&format!(
        "UPDATE mirrors SET last_verified_at = '{checked}'"
    ))
    .await;

    // The public no longer finds it, in the list or by its ID.
    let unlisted = json!({ "totalCount": 0, "nodes": [] });
    assert_eq!(
        app.gql(MIRRORS, json!({})).await.data()["mirrors"],
        unlisted
    );
    assert_eq!(
        app.gql_as(&other.access_token, MIRRORS, json!({}))
            .await
            .data()["mirrors"],
        unlisted
    );
    let node = "query($id: ID!) { node(id: $id) { ... on Mirror { status } } }";
    assert_eq!(
        app.gql(node, json!({ "id": mirror })).await.data()["node"],
        json!(null)
    );
    // Its owner and the committee see it as it is: stale.
    let stale = json!({ "totalCount": 1, "nodes": [{ "hostName": "mirror.ada.example.org", "status": "STALE" }] });
    for person in [&ada, &tom] {
        assert_eq!(
            app.gql_as(&person.access_token, MIRRORS, json!({}))
                .await
                .data()["mirrors"],
            stale
        );
    }
}
