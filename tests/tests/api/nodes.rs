//! Normalized caches (Relay, urql graphcache, Apollo) key objects by their `id`: every type with
//! an identity implements `Node`, and `node(id:)` answers each such id with the same object.

use std::collections::{BTreeMap, BTreeSet};

use api::auth::Role;
use serde_json::{Value, json};
use tests::{
    TestApp,
    factories::{
        Person, a_person_with, a_sponsorship, an_api_token, an_organization, invite_representative,
    },
    notifications::{a_receiver_of, fast, wait_until},
};

/// Everything the demo foundation holds, read by its administrator, with `__typename` and `id`
/// on every object that has one.
const WALK: &str = "{
  viewer { organizations { __typename id representatives { __typename id }
    representativeInvitations(first: 10) { nodes { __typename id } } } }
  apiTokens(first: 10) { nodes { __typename id } }
  integrations(first: 10) { nodes { __typename id } }
  memberships(first: 10) { nodes { __typename id } }
  applications(first: 10) { nodes { __typename id } }
  mirrors(first: 10) { nodes { __typename id } }
  sponsorTiers { __typename id }
  sponsors(first: 10) { nodes { __typename id } }
  sponsorships(first: 20) { nodes { __typename id contributions(first: 10) { nodes { __typename id } } } }
  bylaws { current { articles { sections { __typename id } } } }
  amendments(first: 20) { nodes { __typename id comments(first: 10) { nodes { __typename id } } } }
  elections(first: 10) { nodes { __typename id nominees { __typename id } } }
  board { directors { __typename id } }
  webhookEndpoints { nodes { __typename id deliveries(first: 10) { nodes { __typename id } } } }
  auditEvents(first: 10) { nodes { __typename id } }
}";

/// Every `{__typename, id}` in `value`, by type.
fn identities(value: &Value, found: &mut BTreeMap<String, BTreeSet<String>>) {
    match value {
        Value::Object(object) => {
            if let (Some(Value::String(kind)), Some(Value::String(id))) =
                (object.get("__typename"), object.get("id"))
            {
                found.entry(kind.clone()).or_default().insert(id.clone());
            }
            object.values().for_each(|v| identities(v, found));
        }
        Value::Array(items) => items.iter().for_each(|v| identities(v, found)),
        _ => {}
    }
}

async fn demo_admin(app: &TestApp) -> Person {
    api::demo::load(app.db()).await.expect("the demo data");
    let logged_in = app
        .gql(
            "mutation($input: LogInInput!) { logIn(input: $input) { accessToken refreshToken account { id } } }",
            json!({ "input": { "email": api::demo::DEMO_ADMIN, "password": api::demo::DEMO_PASSWORD } }),
        )
        .await;
    let session = &logged_in.data()["logIn"];
    Person {
        id: session["account"]["id"].as_str().expect("id").to_owned(),
        email: api::demo::DEMO_ADMIN.to_owned(),
        access_token: session["accessToken"].as_str().expect("token").to_owned(),
        refresh_token: session["refreshToken"].as_str().expect("token").to_owned(),
    }
}

#[tokio::test]
async fn every_node_type_round_trips_through_node() {
    let app = TestApp::with_config(fast).await;
    let admin = demo_admin(&app).await;
    // What the demo does not hold: a token, an integration, an endpoint with a delivery, an invitation.
    an_api_token(&app, &admin, &["SPONSORS_READ"]).await;
    tests::factories::an_integration(&app, &admin, None, &["SPONSORS_READ"]).await;
    let (_receiver, _) = a_receiver_of(&app, &admin, &["SPONSORSHIP_CREATED"]).await;
    let organization = an_organization(&app, &admin, "Walkers Ltd").await;
    let member = tests::factories::a_person(&app, "Wanda Walker").await;
    invite_representative(&app, &admin, &organization, &member).await;
    let treasurer = a_person_with(&app, "Tess Treasurer", Role::Treasurer).await;
    a_sponsorship(&organization, "Silver")
        .record(&app, &treasurer)
        .await;
    wait_until(&app, &admin, |log| !log.is_empty()).await;

    let walked = app.gql_as(&admin.access_token, WALK, json!({})).await;
    assert!(walked.body.get("errors").is_none(), "{}", walked.body);
    let mut found = BTreeMap::new();
    identities(&walked.body["data"], &mut found);

    let possible = app
        .gql(
            r#"{ __type(name: "Node") { possibleTypes { name } } }"#,
            json!({}),
        )
        .await;
    let possible: BTreeSet<String> = possible.data()["__type"]["possibleTypes"]
        .as_array()
        .expect("possible types")
        .iter()
        .map(|t| t["name"].as_str().expect("a name").to_owned())
        .collect();
    // Every type that carries an id is a Node, except the public view of a tier, whose id is
    // the tier's: `node` answers it with the `SponsorTier` (published tiers are public).
    let views = BTreeSet::from(["PublicTier".to_owned()]);
    for kind in found.keys() {
        assert!(
            possible.contains(kind) || views.contains(kind),
            "{kind} has an id but does not implement Node"
        );
    }
    for kind in &possible {
        let ids = found
            .get(kind)
            .unwrap_or_else(|| panic!("the walk found no {kind}: add one to it"));
        for id in ids {
            let again = app
                .gql_as(
                    &admin.access_token,
                    "query($id: ID!) { node(id: $id) { __typename id } }",
                    json!({ "id": id }),
                )
                .await;
            assert_eq!(
                again.data()["node"],
                json!({ "__typename": kind, "id": id }),
                "{kind} {id}"
            );
        }
    }
}

#[tokio::test]
async fn node_answers_null_for_an_election_draft_the_viewer_may_not_see() {
    let app = TestApp::new().await;
    let admin = demo_admin(&app).await;
    let elections = app
        .gql_as(
            &admin.access_token,
            "{ elections(first: 10) { nodes { id state } } }",
            json!({}),
        )
        .await;
    let nodes = elections.data()["elections"]["nodes"]
        .as_array()
        .expect("elections")
        .clone();
    assert!(!nodes.is_empty());
    for election in &nodes {
        let id = &election["id"];
        let anonymous = app
            .gql(
                "query($id: ID!) { node(id: $id) { id } }",
                json!({ "id": id }),
            )
            .await;
        // Anonymous callers see what `election(id:)` shows them, no more.
        let direct = app
            .gql(
                "query($id: ID!) { election(id: $id) { id } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(
            anonymous.data()["node"],
            direct.data()["election"],
            "{election}"
        );
    }
}

#[tokio::test]
async fn node_answers_an_audit_entry_only_to_those_who_may_read_it() {
    let app = TestApp::new().await;
    let ada = tests::factories::a_person(&app, "Ada").await;
    let grace = tests::factories::a_person(&app, "Grace").await;
    let own = app
        .gql_as(
            &ada.access_token,
            "query($id: ID) { auditEvents(subjectId: $id) { nodes { id } } }",
            json!({ "id": ada.id }),
        )
        .await;
    let id = own.data()["auditEvents"]["nodes"][0]["id"].clone();
    let query = "query($id: ID!) { node(id: $id) { __typename id } }";
    let mine = app
        .gql_as(&ada.access_token, query, json!({ "id": id }))
        .await;
    assert_eq!(
        mine.data()["node"],
        json!({ "__typename": "AuditEvent", "id": id })
    );
    // The same rules as `auditInclusionProof`: null for anyone else, and for anonymous callers.
    let other = app
        .gql_as(&grace.access_token, query, json!({ "id": id }))
        .await;
    assert_eq!(other.data()["node"], Value::Null);
    let anonymous = app.gql(query, json!({ "id": id })).await;
    assert_eq!(anonymous.data()["node"], Value::Null);
}
