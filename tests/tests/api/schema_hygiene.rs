//! The schema's shape for code generators: values that always exist are non-null, relations are
//! objects rather than bare IDs, one concept has one name, and connections take what their docs
//! promise.

use api::auth::Role;
use serde_json::{Value, json};
use tests::{
    TestApp,
    factories::{
        a_contributor, a_mirror, a_person, a_person_with, a_proposed_amendment, an_api_token,
        apply, check_mirror, close_after_time_runs_out, no_waiting, open_vote, sample_bylaws, vote,
    },
};

const TYPES: &str = r#"{
  __schema {
    types {
      name kind
      fields(includeDeprecated: true) { name isDeprecated args { name } type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } }
      inputFields { name }
    }
  }
}"#;

/// The named type under any NON_NULL and LIST wrappers, and whether the outer one is NON_NULL.
fn named(ty: &Value) -> (String, bool) {
    let non_null = ty["kind"] == "NON_NULL";
    let mut ty = ty;
    while ty["name"].is_null() && ty.is_object() {
        ty = &ty["ofType"];
    }
    (ty["name"].as_str().unwrap_or_default().to_owned(), non_null)
}

#[tokio::test]
async fn the_schema_speaks_with_one_voice() {
    let app = TestApp::new().await;
    let response = app.gql(TYPES, json!({})).await;
    let types = response.data()["__schema"]["types"]
        .as_array()
        .expect("types")
        .clone();
    let field = |type_name: &str, field_name: &str| -> Option<Value> {
        types.iter().find(|t| t["name"] == type_name)?["fields"]
            .as_array()?
            .iter()
            .find(|f| f["name"] == field_name)
            .cloned()
    };

    // A class always has a key.
    let key = field("MembershipClass", "key").expect("MembershipClass.key");
    assert_eq!(named(&key["type"]), ("MembershipClassKey".to_owned(), true));

    // Relations are objects beside their IDs.
    for (owner, object, target) in [
        ("Application", "applicant", "Account"),
        ("MirrorVerification", "checkedBy", "Account"),
        ("BylawsVersion", "amendment", "Amendment"),
        ("AuditEvent", "actor", "Account"),
        ("Vote", "membership", "Membership"),
    ] {
        let found = field(owner, object).unwrap_or_else(|| panic!("{owner}.{object}"));
        assert_eq!(named(&found["type"]).0, target, "{owner}.{object}");
    }

    // One name per concept.
    for (owner, name) in [
        ("Membership", "disclosed"),
        ("Application", "disclosed"),
        ("Sponsorship", "disclosed"),
        ("VoteCounts", "eligibleVoters"),
        ("AmendmentTally", "eligibleVoters"),
    ] {
        assert!(field(owner, name).is_some(), "{owner}.{name}");
    }
    assert!(field("Application", "disclose").is_none());
    assert!(field("VoteCounts", "eligible").is_none());
    assert_eq!(
        field("Sponsorship", "disclose").expect("kept for old clients")["isDeprecated"],
        json!(true)
    );
    let revoke_input = types
        .iter()
        .find(|t| t["name"] == "RevokeApiTokenInput")
        .expect("RevokeApiTokenInput");
    assert_eq!(
        revoke_input["inputFields"],
        json!([{ "name": "apiTokenId" }])
    );

    // Every connection pages both ways, as the edge's cursor docs promise.
    let mut connections = 0;
    for owner in &types {
        for f in owner["fields"].as_array().into_iter().flatten() {
            if !named(&f["type"]).0.ends_with("Connection") {
                continue;
            }
            connections += 1;
            let args: Vec<&str> = f["args"]
                .as_array()
                .expect("args")
                .iter()
                .filter_map(|a| a["name"].as_str())
                .collect();
            for paging in ["first", "after", "last", "before"] {
                assert!(
                    args.contains(&paging),
                    "{}.{} lacks {paging}",
                    owner["name"],
                    f["name"]
                );
            }
        }
    }
    assert!(connections > 10, "{connections} connections");
}

#[tokio::test]
async fn relations_read_as_objects_applicant_checker_actor_amendment_and_voting_membership() {
    let app = TestApp::new().await;
    let admin = a_person_with(&app, "Root", Role::Admin).await;
    let secretary = a_person_with(&app, "Sami", Role::Secretary).await;
    let committee = a_person_with(&app, "Mia", Role::MembershipCommittee).await;
    let tech = a_person_with(&app, "Tess", Role::TechnologyCommittee).await;
    let sections = sample_bylaws(&app, &secretary).await;
    no_waiting(&app, &admin).await;
    let (ada, membership) = a_contributor(&app, "Ada", &committee).await;

    // A mirror's check names its checker.
    let bo = a_person(&app, "Bo").await;
    let mirror = a_mirror(&app, &bo, "mirror.example.org", None).await;
    check_mirror(&app, &tech, &mirror, "VERIFIED").await.data();
    let checked = app
        .gql_as(
            &bo.access_token,
            "query($id: ID!) { node(id: $id) { ... on Mirror { verifications { checkedBy { id displayName } } } } }",
            json!({ "id": mirror }),
        )
        .await;
    assert_eq!(
        checked.data()["node"]["verifications"],
        json!([{ "checkedBy": { "id": tech.id, "displayName": "Tess" } }])
    );
    let application = apply(
        &app,
        &bo,
        json!({ "class": "MIRROR", "statement": "I run a mirror.", "mirrorIds": [mirror], "disclose": false }),
    )
    .await;
    let shown = app
        .gql_as(
            &bo.access_token,
            "query($id: ID!) { node(id: $id) { ... on Application { disclosed applicant { id } } } }",
            json!({ "id": application }),
        )
        .await;
    assert_eq!(
        shown.data()["node"],
        json!({ "disclosed": false, "applicant": { "id": bo.id } })
    );

    // A vote names the membership that cast it, and the adopted version its amendment.
    let amendment = a_proposed_amendment(&app, &ada, &sections[1], "For everyone.").await;
    open_vote(&app, &secretary, &amendment, "MEMBERS")
        .await
        .data();
    let cast = vote(&app, &ada, &amendment, "YES", None).await;
    assert_eq!(
        cast.data()["castAmendmentVote"]["vote"]["membershipId"],
        json!(membership)
    );
    close_after_time_runs_out(&app, &secretary, &amendment).await;
    let versions = app
        .gql(
            "{ bylaws { versions { number amendment { id title status } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        versions.data()["bylaws"]["versions"],
        json!([
            { "number": 1, "amendment": null },
            { "number": 2, "amendment": { "id": amendment, "title": "Clarify the purpose", "status": "ADOPTED" } },
        ])
    );

    // The audit log names who acted.
    let events = app
        .gql_as(
            &admin.access_token,
            "query($id: ID) { auditEvents(subjectId: $id) { nodes { action actor { id } } } }",
            json!({ "id": amendment }),
        )
        .await;
    let nodes = events.data()["auditEvents"]["nodes"]
        .as_array()
        .expect("nodes")
        .clone();
    let proposed = nodes
        .iter()
        .find(|n| n["action"] == "amendment.proposed")
        .expect("a proposal entry");
    assert_eq!(proposed["actor"], json!({ "id": ada.id }));

    // Revoking a token names it by apiTokenId.
    let token = an_api_token(&app, &ada, &["SPONSORS_READ"]).await;
    let listed = app
        .gql_as(
            &ada.access_token,
            "{ apiTokens { nodes { id } } }",
            json!({}),
        )
        .await;
    let id = listed.data()["apiTokens"]["nodes"][0]["id"].clone();
    let revoked = app
        .gql_as(
            &ada.access_token,
            "mutation($id: ID!) { revokeApiToken(input: { apiTokenId: $id }) { apiToken { revokedAt } } }",
            json!({ "id": id }),
        )
        .await;
    assert!(revoked.data()["revokeApiToken"]["apiToken"]["revokedAt"].is_string());
    assert_eq!(
        app.gql_as(&token, "{ __typename }", json!({}))
            .await
            .error_code(),
        "UNAUTHENTICATED"
    );
}
