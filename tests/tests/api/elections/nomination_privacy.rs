//! Nominating someone tells the nominator nothing about their membership: until the nominee
//! accepts, a nomination's standing is for the nominee and the election committee (and
//! administrators) alone, so an undisclosed member, a disclosed one and a non-member look the
//! same to everyone else. Accepting discloses it for the election, and the nominee is told so
//! (issue 23, item 9).

use serde_json::{Value, json};
use tests::factories::{Person, a_person, apply, review};

use super::{Foundation, foundation};

const NOMINEES: &str = "query($id: ID!) { election(id: $id) { nominees { id eligible eligibility { eligible reason } onBallot } } }";
const NOMINATE: &str = "mutation($input: NominateInput!) { nominate(input: $input) { nomination { id eligible eligibility { eligible reason } } } }";

/// A Contributor in good standing who asked not to be listed.
async fn an_undisclosed_member(f: &Foundation, name: &str) -> Person {
    let person = a_person(&f.app, name).await;
    let application = apply(
        &f.app,
        &person,
        json!({ "class": "CONTRIBUTOR", "statement": "I triage quietly.", "disclose": false }),
    )
    .await;
    let reviewed = review(&f.app, &f.membership, &application, "APPROVE", None).await;
    let membership = reviewed.data()["reviewApplication"]["membership"]["id"]
        .as_str()
        .expect("a membership id")
        .to_owned();
    f.backdate(api::ids::decode(&membership).expect("an id").1)
        .await;
    person
}

/// The nominations `who` sees in `election`, by ID (anonymous when `who` is `None`).
async fn seen_by(f: &Foundation, who: Option<&Person>, election: &str) -> Vec<Value> {
    let variables = json!({ "id": election });
    let read = match who {
        Some(person) => {
            f.app
                .gql_as(&person.access_token, NOMINEES, variables)
                .await
        }
        None => f.app.gql(NOMINEES, variables).await,
    };
    read.data()["election"]["nominees"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn find<'a>(list: &'a [Value], id: &str) -> Option<&'a Value> {
    list.iter().find(|n| n["id"] == id)
}

#[tokio::test]
async fn a_pending_nomination_tells_no_one_but_the_nominee_and_the_committee_who_is_a_member() {
    let f = foundation().await;
    let ada = f.member("Ada").await;
    let other = f.member("Olga").await;
    let disclosed = f.member("Dee").await;
    let hidden = an_undisclosed_member(&f, "Hana").await;
    let outsider = a_person(&f.app, "Otto").await;
    let election = f.election("GENERAL", 2).await;

    // Ada nominates three people: what the nominations answer her is the same for each.
    let mut made = Vec::new();
    for nominee in [&disclosed, &hidden, &outsider] {
        let nominated = f
            .app
            .gql_as(
                &ada.access_token,
                NOMINATE,
                json!({ "input": { "electionId": election, "nomineeAccountId": nominee.id } }),
            )
            .await;
        let nomination = nominated.data()["nominate"]["nomination"].clone();
        made.push(nomination);
    }
    let strip = |n: &Value| json!({ "eligible": n["eligible"], "eligibility": n["eligibility"] });
    assert_eq!(strip(&made[0]), strip(&made[1]), "{made:#?}");
    assert_eq!(strip(&made[1]), strip(&made[2]), "{made:#?}");
    let ids: Vec<String> = made
        .iter()
        .map(|n| n["id"].as_str().expect("id").to_owned())
        .collect();

    // Reading the election later, the nominator sees the same of all three.
    let mine = seen_by(&f, Some(&ada), &election).await;
    let shown: Vec<Value> = ids
        .iter()
        .map(|id| strip(find(&mine, id).expect("her own nomination")))
        .collect();
    assert_eq!(shown[0], shown[1], "{mine:#?}");
    assert_eq!(shown[1], shown[2], "{mine:#?}");
    // Other members and anonymous callers do not see a pending nomination at all.
    for who in [Some(&other), None] {
        let list = seen_by(&f, who, &election).await;
        assert!(ids.iter().all(|id| find(&list, id).is_none()), "{list:#?}");
    }
    // The election committee and the nominee see the standing.
    let committee = seen_by(&f, Some(&f.committee), &election).await;
    assert_eq!(find(&committee, &ids[1]).expect("seen")["eligible"], true);
    assert_eq!(find(&committee, &ids[2]).expect("seen")["eligible"], false);
    let own = seen_by(&f, Some(&hidden), &election).await;
    assert_eq!(find(&own, &ids[1]).expect("her own")["eligible"], true);

    // Hana is told that accepting shows her as a member: she must agree to be named.
    let refused = f.respond(&hidden, &ids[1], json!({ "accept": true })).await;
    assert_eq!(refused.error_code(), "BAD_USER_INPUT");
    assert_eq!(refused.error_field(), "input.agreeToBeNamed");
    assert!(
        refused.error_message().contains("member"),
        "{}",
        refused.error_message()
    );
    f.respond(
        &hidden,
        &ids[1],
        json!({ "accept": true, "agreeToBeNamed": true }),
    )
    .await
    .data();
    // Accepted, she stands in public, eligible: she agreed to that.
    for who in [Some(&other), Some(&ada), None] {
        let list = seen_by(&f, who, &election).await;
        assert_eq!(
            find(&list, &ids[1]).expect("an accepted nomination is public")["eligible"],
            true
        );
    }
}

/// Which of an account's fields anyone may read, and which only the person and administrators:
/// the decision written in docs/security.md, role by role.
#[tokio::test]
async fn an_account_shows_its_public_fields_to_anyone_and_the_rest_to_its_owner_and_admins() {
    let f = foundation().await;
    let hana = an_undisclosed_member(&f, "Hana").await;
    let other = f.member("Olga").await;
    let read = "query($id: ID!) { node(id: $id) { id ... on Account { displayName roles createdAt email organizations { id } representativeInvitations(first: 5) { totalCount } memberships { id } applications { totalCount } } } }";
    let variables = json!({ "id": hana.id });
    let anonymous = f.app.gql(read, variables.clone()).await;
    let as_member = f
        .app
        .gql_as(&other.access_token, read, variables.clone())
        .await;
    let as_committee = f
        .app
        .gql_as(&f.committee.access_token, read, variables.clone())
        .await;
    let as_owner = f
        .app
        .gql_as(&hana.access_token, read, variables.clone())
        .await;
    let as_admin = f.app.gql_as(&f.admin.access_token, read, variables).await;
    for (who, response) in [
        ("anonymous", &anonymous),
        ("a member", &as_member),
        ("the election committee", &as_committee),
    ] {
        let node = &response.data()["node"];
        assert_eq!(node["displayName"], "Hana", "{who}");
        assert_eq!(node["roles"], json!([]), "{who}");
        assert!(node["createdAt"].is_string(), "{who}");
        assert_eq!(node["email"], Value::Null, "{who}");
        assert_eq!(node["organizations"], Value::Null, "{who}");
        assert_eq!(node["representativeInvitations"], Value::Null, "{who}");
        assert_eq!(node["memberships"], Value::Null, "{who}");
        assert_eq!(node["applications"], Value::Null, "{who}");
    }
    // What the account holds and applied for is the owner's alone, administrators included.
    assert_eq!(as_admin.data()["node"]["memberships"], Value::Null);
    assert_eq!(as_admin.data()["node"]["applications"], Value::Null);
    assert!(as_owner.data()["node"]["memberships"].is_array());
    assert!(as_owner.data()["node"]["applications"]["totalCount"].is_number());
    for (who, response) in [("the owner", &as_owner), ("an admin", &as_admin)] {
        let node = &response.data()["node"];
        assert_eq!(node["displayName"], "Hana", "{who}");
        assert_eq!(node["email"], json!(hana.email), "{who}");
        assert_eq!(node["organizations"], json!([]), "{who}");
        assert_eq!(node["representativeInvitations"]["totalCount"], 0, "{who}");
    }
    // Nothing on an account tells anyone but its owner whether it holds a membership (that is the
    // directory's to show): `memberships` and `applications` are the owner's self-only fields.
    let fields = f
        .app
        .gql(
            "{ __type(name: \"Account\") { fields { name } } }",
            json!({}),
        )
        .await;
    let names: Vec<String> = fields.data()["__type"]["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .map(|f| f["name"].as_str().expect("name").to_owned())
        .collect();
    assert_eq!(
        names,
        vec![
            "id",
            "displayName",
            "email",
            "roles",
            "organizations",
            "representativeInvitations",
            "createdAt",
            "memberships",
            "applications"
        ]
    );
}
