//! Applying and reviewing: the classes, approval and rejection, withdrawal, races, and one membership per entity per class.

use api::auth::Role;
use futures_util::future::join_all;
use sea_orm::{ConnectionTrait, SqlErr};
use serde_json::json;
use tests::{
    TestApp,
    factories::{
        a_contributor, a_mirror, a_person, a_person_with, an_api_token, an_organization,
        apply_as_contributor, check_mirror, renew, review,
    },
};

use super::{APPLICATIONS, APPLY, CLASSES, MEMBERSHIP, days_ago};

#[tokio::test]
async fn a_fresh_database_holds_the_three_classes() {
    let app = TestApp::new().await;
    let response = app.gql(CLASSES, json!({})).await;
    assert_eq!(
        response.data()["membershipClasses"],
        json!([
            { "key": "CONTRIBUTOR", "name": "Contributor", "voteWeight": 1, "paid": false, "approvedBy": "MEMBERSHIP_COMMITTEE" },
            { "key": "MIRROR", "name": "Mirror", "voteWeight": 1, "paid": false, "approvedBy": "TECHNOLOGY_COMMITTEE" },
            { "key": "SPONSOR", "name": "Sponsor", "voteWeight": 1, "paid": true, "approvedBy": null },
        ])
    );
}

#[tokio::test]
async fn a_contributor_applies_and_the_membership_committee_approves() {
    let app = TestApp::new().await;
    let committee = a_person_with(&app, "Mia", Role::MembershipCommittee).await;
    let tech = a_person_with(&app, "Tom", Role::TechnologyCommittee).await;
    let ada = a_person(&app, "Ada").await;
    let grace = a_person(&app, "Grace").await;
    let application = apply_as_contributor(&app, &ada).await;

    // Ada and the Membership Committee see the application; Grace, the Technology Committee
    // and anonymous callers do not.
    assert_eq!(
        app.gql_as(&ada.access_token, APPLICATIONS, json!({}))
            .await
            .data()["applications"]["totalCount"],
        json!(1)
    );
    assert_eq!(
        app.gql_as(&committee.access_token, APPLICATIONS, json!({}))
            .await
            .data()["applications"]["totalCount"],
        json!(1)
    );
    assert_eq!(
        app.gql_as(&grace.access_token, APPLICATIONS, json!({}))
            .await
            .data()["applications"]["totalCount"],
        json!(0)
    );
    assert_eq!(
        app.gql_as(&tech.access_token, APPLICATIONS, json!({}))
            .await
            .data()["applications"]["totalCount"],
        json!(0)
    );
    assert_eq!(
        app.gql(APPLICATIONS, json!({})).await.error_code(),
        "UNAUTHENTICATED"
    );
    let node = "query($id: ID!) { node(id: $id) { id } }";
    assert_eq!(
        app.gql_as(&grace.access_token, node, json!({ "id": application }))
            .await
            .data()["node"],
        json!(null)
    );

    // Only the right committee decides.
    assert_eq!(
        review(&app, &ada, &application, "APPROVE", None)
            .await
            .error_code(),
        "FORBIDDEN"
    );
    assert_eq!(
        review(&app, &tech, &application, "APPROVE", None)
            .await
            .error_code(),
        "NOT_FOUND"
    );
    assert_eq!(
        review(&app, &grace, &application, "APPROVE", None)
            .await
            .error_code(),
        "NOT_FOUND"
    );

    let approved = review(&app, &committee, &application, "APPROVE", None).await;
    let data = &approved.data()["reviewApplication"];
    assert_eq!(data["application"]["status"], json!("APPROVED"));
    assert_eq!(data["membership"]["status"], json!("ACTIVE"));
    let expected = chrono::Utc::now()
        .date_naive()
        .checked_add_months(chrono::Months::new(12))
        .expect("date");
    assert_eq!(data["membership"]["expiresOn"], json!(expected.to_string()));

    // A decided application cannot be decided again.
    assert_eq!(
        review(&app, &committee, &application, "REJECT", Some("late"))
            .await
            .error_code(),
        "CONFLICT"
    );
    let viewer = app
        .gql_as(
            &ada.access_token,
            MEMBERSHIP,
            json!({ "id": data["membership"]["id"] }),
        )
        .await;
    assert_eq!(viewer.data()["node"]["class"]["key"], json!("CONTRIBUTOR"));
}

#[tokio::test]
async fn a_rejection_needs_a_reason_and_the_applicant_sees_it() {
    let app = TestApp::new().await;
    let committee = a_person_with(&app, "Mia", Role::MembershipCommittee).await;
    let ada = a_person(&app, "Ada").await;
    let application = apply_as_contributor(&app, &ada).await;
    let no_reason = review(&app, &committee, &application, "REJECT", None).await;
    assert_eq!(no_reason.error_code(), "BAD_USER_INPUT");
    assert_eq!(no_reason.error_field(), "input.reason");
    review(
        &app,
        &committee,
        &application,
        "REJECT",
        Some("Not connected to the project yet."),
    )
    .await
    .data();
    let mine = app
        .gql_as(
            &ada.access_token,
            "{ applications { nodes { status decisionReason decidedAt } } }",
            json!({}),
        )
        .await;
    let node = &mine.data()["applications"]["nodes"][0];
    assert_eq!(node["status"], json!("REJECTED"));
    assert_eq!(
        node["decisionReason"],
        json!("Not connected to the project yet.")
    );
}

#[tokio::test]
async fn only_the_applicant_withdraws_and_only_while_waiting() {
    let app = TestApp::new().await;
    let ada = a_person(&app, "Ada").await;
    let mallory = a_person(&app, "Mallory").await;
    let application = apply_as_contributor(&app, &ada).await;
    let withdraw = "mutation($id: ID!) { withdrawApplication(input: { applicationId: $id }) { application { status } } }";
    assert_eq!(
        app.gql_as(
            &mallory.access_token,
            withdraw,
            json!({ "id": application })
        )
        .await
        .error_code(),
        "NOT_FOUND"
    );
    let done = app
        .gql_as(&ada.access_token, withdraw, json!({ "id": application }))
        .await;
    assert_eq!(
        done.data()["withdrawApplication"]["application"]["status"],
        json!("WITHDRAWN")
    );
    assert_eq!(
        app.gql_as(&ada.access_token, withdraw, json!({ "id": application }))
            .await
            .error_code(),
        "CONFLICT"
    );
    // Withdrawn, Ada may apply again.
    apply_as_contributor(&app, &ada).await;
}

#[tokio::test]
async fn an_unknown_stored_status_is_an_error_not_a_default() {
    let app = TestApp::new().await;
    let committee = a_person_with(&app, "Mia", Role::MembershipCommittee).await;
    let ada = a_person(&app, "Ada").await;
    let application = apply_as_contributor(&app, &ada).await;
    app.db()
        .execute_unprepared("UPDATE applications SET status = 'ON_HOLD'")
        .await
        .expect("write an unknown status");

    let node = app
        .gql_as(
            &ada.access_token,
            "query($id: ID!) { node(id: $id) { ... on Application { id status } } }",
            json!({ "id": application }),
        )
        .await;
    assert_eq!(node.error_code(), "INTERNAL_SERVER_ERROR");
    assert!(node.body["data"]["node"].is_null(), "{:#}", node.body);
    assert!(
        !node.body.to_string().contains("SUBMITTED"),
        "{:#}",
        node.body
    );

    let listed = app
        .gql_as(&committee.access_token, APPLICATIONS, json!({}))
        .await;
    assert_eq!(listed.error_code(), "INTERNAL_SERVER_ERROR");
    assert!(
        listed.body["data"]["applications"].is_null(),
        "{:#}",
        listed.body
    );

    // A command reading the row fails the same way, rather than deciding a default.
    let withdraw = "mutation($id: ID!) { withdrawApplication(input: { applicationId: $id }) { application { status } } }";
    let withdrawn = app
        .gql_as(&ada.access_token, withdraw, json!({ "id": application }))
        .await;
    assert_eq!(withdrawn.error_code(), "INTERNAL_SERVER_ERROR");
}

#[tokio::test]
async fn classes_are_applied_for_by_the_right_entities() {
    let app = TestApp::new().await;
    let ada = a_person(&app, "Ada").await;
    let apply_raw = |input: serde_json::Value| {
        app.gql_as(
            &ada.access_token,
            "mutation($input: ApplyForMembershipInput!) { applyForMembership(input: $input) { application { id } } }",
            json!({ "input": input }),
        )
    };
    let sponsor = apply_raw(json!({ "class": "SPONSOR", "statement": "money" })).await;
    assert_eq!(sponsor.error_field(), "input.class");
    let org = app
        .gql_as(
            &ada.access_token,
            "mutation { createOrganization(input: { name: \"CloudCo\" }) { organization { id } } }",
            json!({}),
        )
        .await;
    let org_id = org.data()["createOrganization"]["organization"]["id"].clone();
    let contributor_org =
        apply_raw(json!({ "class": "CONTRIBUTOR", "statement": "we", "organizationId": org_id }))
            .await;
    assert_eq!(contributor_org.error_field(), "input.organizationId");
    let mirror_without_mirrors =
        apply_raw(json!({ "class": "MIRROR", "statement": "we host", "organizationId": org_id }))
            .await;
    assert_eq!(mirror_without_mirrors.error_field(), "input.mirrorIds");
    let empty = apply_raw(json!({ "class": "CONTRIBUTOR", "statement": "   " })).await;
    assert_eq!(empty.error_field(), "input.statement");

    // Someone else's organization cannot be used.
    let mallory = a_person(&app, "Mallory").await;
    let stolen = app
        .gql_as(
            &mallory.access_token,
            "mutation($input: ApplyForMembershipInput!) { applyForMembership(input: $input) { application { id } } }",
            json!({ "input": { "class": "MIRROR", "statement": "mine now", "organizationId": org_id, "mirrorIds": [] } }),
        )
        .await;
    assert_eq!(stolen.error_code(), "FORBIDDEN");
}

#[tokio::test]
async fn an_api_token_and_anonymous_callers_cannot_apply_or_review() {
    let app = TestApp::new().await;
    let ada = a_person(&app, "Ada").await;
    let token = an_api_token(&app, &ada, &["MEMBERS_READ"]).await;
    let apply_query = "mutation { applyForMembership(input: { class: CONTRIBUTOR, statement: \"hi\" }) { application { id } } }";
    assert_eq!(
        app.gql_as(&token, apply_query, json!({}))
            .await
            .error_code(),
        "FORBIDDEN"
    );
    assert_eq!(
        app.gql(apply_query, json!({})).await.error_code(),
        "UNAUTHENTICATED"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_reviewers_deciding_at_once_have_one_winner() {
    let app = TestApp::new().await;
    let mia = a_person_with(&app, "Mia", Role::MembershipCommittee).await;
    let max = a_person_with(&app, "Max", Role::MembershipCommittee).await;
    for _ in 0..3 {
        let ada = a_person(&app, "Ada").await;
        let application = apply_as_contributor(&app, &ada).await;
        let (approve, reject) = tokio::join!(
            review(&app, &mia, &application, "APPROVE", None),
            review(&app, &max, &application, "REJECT", Some("duplicate")),
        );
        let outcomes = [&approve, &reject]
            .iter()
            .map(|r| {
                r.body["errors"][0]["extensions"]["code"]
                    .as_str()
                    .unwrap_or("OK")
                    .to_owned()
            })
            .collect::<Vec<_>>();
        assert_eq!(
            outcomes.iter().filter(|o| *o == "OK").count(),
            1,
            "{outcomes:?}"
        );
        assert_eq!(
            outcomes.iter().filter(|o| *o == "CONFLICT").count(),
            1,
            "{outcomes:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_applications_racing_for_the_same_class_have_one_winner() {
    let app = TestApp::new().await;
    let ada = a_person(&app, "Ada").await;
    let query = "mutation { applyForMembership(input: { class: CONTRIBUTOR, statement: \"me\" }) { application { id } } }";
    let responses = join_all((0..4).map(|_| app.gql_as(&ada.access_token, query, json!({})))).await;
    let ok = responses
        .iter()
        .filter(|r| r.body.get("errors").is_none())
        .count();
    let conflicts = responses
        .iter()
        .filter(|r| r.body["errors"][0]["extensions"]["code"] == "CONFLICT")
        .count();
    assert_eq!((ok, conflicts), (1, 3), "{responses:#?}");
}

#[tokio::test]
async fn one_membership_per_entity_per_class_holds_in_the_database_too() {
    let app = TestApp::new().await;
    let committee = a_person_with(&app, "Mia", Role::MembershipCommittee).await;
    let (ada, membership) = a_contributor(&app, "Ada", &committee).await;
    // Renewal keeps the one membership.
    renew(&app, &committee, &membership).await.data();
    let count = app
        .gql_as(
            &ada.access_token,
            "{ memberships { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(count.data()["memberships"]["totalCount"], json!(1));

    // A second Contributor row for Ada, written behind the API's back, breaks the unique key on
    // (class, holder) and nothing else: the same row for another class goes in.
    let ada_key = api::ids::decode(&ada.id).expect("an account id").1;
    let row_for = |id: &str, class: &str| {
        format!(
            "INSERT INTO memberships (id, class_key, holder_key, holder_account_id, status, since, vote_weight, disclose, created_at, updated_at) \
             VALUES ('{id}', '{class}', 'account:{ada_key}', '{ada_key}', 'ACTIVE', '2026-11-25', 1, TRUE, '2026-11-25 00:00:00+00:00', '2026-11-25 00:00:00+00:00')"
        )
    };
    let duplicate = app
        .db()
        .execute_unprepared(&row_for(
            "f0000000-0000-7000-8000-000000000001",
            "CONTRIBUTOR",
        ))
        .await
        .expect_err("a second Contributor membership for Ada");
    assert!(
        matches!(
            duplicate.sql_err(),
            Some(SqlErr::UniqueConstraintViolation(_))
        ),
        "{duplicate}"
    );
    app.sql(&row_for("f0000000-0000-7000-8000-000000000002", "MIRROR"))
        .await;
}

#[tokio::test]
async fn a_member_applying_again_is_asked_to_renew_instead() {
    let app = TestApp::new().await;
    let committee = a_person_with(&app, "Mia", Role::MembershipCommittee).await;
    let (ada, membership) = a_contributor(&app, "Ada", &committee).await;
    let apply_again = |_: ()| {
        app.gql_as(
            &ada.access_token,
            APPLY,
            json!({ "input": { "class": "CONTRIBUTOR", "statement": "Still helping with docs." } }),
        )
    };
    let waiting = |_: ()| {
        app.gql_as(
            &committee.access_token,
            "{ applications(status: SUBMITTED) { totalCount } }",
            json!({}),
        )
    };

    // Active: Ada is told to ask for a renewal, and nothing reaches the committee.
    let active = apply_again(()).await;
    assert_eq!(active.error_code(), "CONFLICT");
    assert_eq!(
        active.error_message(),
        "You already hold an active Contributor membership; ask the committee to renew it instead."
    );
    assert_eq!(
        waiting(()).await.data()["applications"]["totalCount"],
        json!(0)
    );

    // Her term ended yesterday: in grace, the answer is the same.
    app.sql(&format!(
        "UPDATE memberships SET ends_on = '{}'",
        days_ago(1)
    ))
    .await;
    let grace = apply_again(()).await;
    assert_eq!(grace.error_code(), "CONFLICT");
    assert_eq!(
        grace.error_message(),
        "You already hold a Contributor membership in its grace period; ask the committee to renew it instead."
    );

    // Expired, she applies again, and the approval brings back the same membership.
    app.sql(&format!(
        "UPDATE memberships SET ends_on = '{}'",
        days_ago(31)
    ))
    .await;
    let submitted = apply_again(()).await;
    assert_eq!(
        submitted.data()["applyForMembership"]["application"]["status"],
        json!("SUBMITTED")
    );
    let application = submitted.data()["applyForMembership"]["application"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let approved = review(&app, &committee, &application, "APPROVE", None).await;
    assert_eq!(
        approved.data()["reviewApplication"]["membership"]["id"],
        json!(membership)
    );
    assert_eq!(
        approved.data()["reviewApplication"]["membership"]["status"],
        json!("ACTIVE")
    );
}

#[tokio::test]
async fn an_organization_holding_a_mirror_membership_is_asked_to_renew_instead() {
    let app = TestApp::new().await;
    let tom = a_person_with(&app, "Tom", Role::TechnologyCommittee).await;
    let bea = a_person(&app, "Bea").await;
    let org = an_organization(&app, &bea, "MirrorCo").await;
    let mirror = a_mirror(&app, &bea, "mirror.mirrorco.de", Some(&org)).await;
    check_mirror(&app, &tom, &mirror, "VERIFIED").await.data();
    let input = json!({ "input": { "class": "MIRROR", "statement": "We host a mirror.", "organizationId": org, "mirrorIds": [mirror] } });
    let first = app.gql_as(&bea.access_token, APPLY, input.clone()).await;
    let application = first.data()["applyForMembership"]["application"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    review(&app, &tom, &application, "APPROVE", None)
        .await
        .data();

    let again = app.gql_as(&bea.access_token, APPLY, input).await;
    assert_eq!(again.error_code(), "CONFLICT");
    assert_eq!(
        again.error_message(),
        "This organization already holds an active Mirror membership; ask the committee to renew it instead."
    );
}
