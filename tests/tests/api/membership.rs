//! Membership: applying, reviewing, the lifecycle, and the rules for each role.

use api::auth::Role;
use futures_util::future::join_all;
use sea_orm::{ConnectionTrait, SqlErr};
use serde_json::json;
use tests::{
    TestApp,
    factories::{
        a_contributor, a_mirror, a_person, a_person_with, an_api_token, an_organization, apply,
        apply_as_contributor, check_mirror, renew, review,
    },
};

const CLASSES: &str = "{ membershipClasses { key name voteWeight paid approvedBy } }";
const APPLICATIONS: &str =
    "{ applications { totalCount nodes { id status class { key } statement } } }";
const APPLY: &str = "mutation($input: ApplyForMembershipInput!) {
  applyForMembership(input: $input) { application { id status } }
}";
const OWN_MIRROR: &str = "You cannot check your own mirror (one you own or registered, or your organization's); another member of the Technology Committee or an administrator must.";
const MEMBERSHIP: &str = "query($id: ID!) { node(id: $id) { ... on Membership {
  id status expiresOn disclosed voteWeight class { key } notice { kind reason response }
} } }";

fn days_ago(days: u64) -> chrono::NaiveDate {
    chrono::Utc::now()
        .date_naive()
        .checked_sub_days(chrono::Days::new(days))
        .expect("date")
}

fn months_ahead(months: u32) -> chrono::NaiveDate {
    chrono::Utc::now()
        .date_naive()
        .checked_add_months(chrono::Months::new(months))
        .expect("date")
}

/// An instant `months` ago, as both databases read a timestamp.
fn months_ago_at(months: u32) -> String {
    chrono::Utc::now()
        .checked_sub_months(chrono::Months::new(months))
        .expect("date")
        .format("%Y-%m-%d %H:%M:%S+00:00")
        .to_string()
}

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

#[tokio::test]
async fn a_committee_member_cannot_decide_their_own_application_another_member_can() {
    let app = TestApp::new().await;
    let mia = a_person_with(&app, "Mia", Role::MembershipCommittee).await;
    let max = a_person_with(&app, "Max", Role::MembershipCommittee).await;
    let application = apply_as_contributor(&app, &mia).await;
    let own_case = "You cannot review your own application, nor your organization's; another member of the Membership Committee or an administrator must.";

    let approve = review(&app, &mia, &application, "APPROVE", None).await;
    assert_eq!(approve.error_code(), "FORBIDDEN");
    assert_eq!(approve.error_message(), own_case);
    let reject = review(&app, &mia, &application, "REJECT", Some("Not me.")).await;
    assert_eq!(reject.error_code(), "FORBIDDEN");
    assert_eq!(reject.error_message(), own_case);

    let approved = review(&app, &max, &application, "APPROVE", None).await;
    let data = &approved.data()["reviewApplication"];
    assert_eq!(data["application"]["status"], json!("APPROVED"));
    assert_eq!(data["membership"]["status"], json!("ACTIVE"));
    let membership = data["membership"]["id"].as_str().expect("id").to_owned();

    // Nor does she renew her own membership; Max can.
    let own_renewal = renew(&app, &mia, &membership).await;
    assert_eq!(own_renewal.error_code(), "FORBIDDEN");
    assert_eq!(
        own_renewal.error_message(),
        "You cannot renew your own membership, nor your organization's; another member of the Membership Committee or an administrator must."
    );
    let renewed = renew(&app, &max, &membership).await;
    assert_eq!(
        renewed.data()["renewMembership"]["membership"]["expiresOn"],
        json!(months_ahead(24).to_string())
    );
}

#[tokio::test]
async fn an_admin_decides_when_the_only_committee_member_applies() {
    let app = TestApp::new().await;
    let mia = a_person_with(&app, "Mia", Role::MembershipCommittee).await;
    let root = a_person_with(&app, "Root", Role::Admin).await;
    let ada = a_person(&app, "Ada").await;
    let application = apply_as_contributor(&app, &mia).await;
    assert_eq!(
        review(&app, &mia, &application, "APPROVE", None)
            .await
            .error_code(),
        "FORBIDDEN"
    );

    // Root, an ADMIN on no committee, finds the application and approves it.
    let listed = app
        .gql_as(&root.access_token, APPLICATIONS, json!({}))
        .await;
    assert_eq!(
        listed.data()["applications"]["nodes"][0]["id"],
        json!(application)
    );
    let approved = review(&app, &root, &application, "APPROVE", None).await;
    let data = &approved.data()["reviewApplication"];
    assert_eq!(data["application"]["status"], json!("APPROVED"));
    let membership = data["membership"]["id"].as_str().expect("id").to_owned();
    assert_eq!(
        renew(&app, &root, &membership).await.data()["renewMembership"]["membership"]["status"],
        json!("ACTIVE")
    );

    // The rule binds Root too, and a member with no role still decides nothing.
    let roots = apply_as_contributor(&app, &root).await;
    assert_eq!(
        review(&app, &root, &roots, "APPROVE", None)
            .await
            .error_code(),
        "FORBIDDEN"
    );
    assert_eq!(
        review(&app, &ada, &roots, "APPROVE", None)
            .await
            .error_code(),
        "NOT_FOUND"
    );
    assert_eq!(
        review(&app, &mia, &roots, "APPROVE", None).await.data()["reviewApplication"]["application"]
            ["status"],
        json!("APPROVED")
    );
}

#[tokio::test]
async fn a_committee_member_cannot_decide_their_organizations_mirror_or_application() {
    let app = TestApp::new().await;
    let tom = a_person_with(&app, "Tom", Role::TechnologyCommittee).await;
    let tess = a_person_with(&app, "Tess", Role::TechnologyCommittee).await;
    let org = an_organization(&app, &tom, "MirrorCo").await;
    let mirror = a_mirror(&app, &tom, "mirror.mirrorco.de", Some(&org)).await;

    let own_check = check_mirror(&app, &tom, &mirror, "VERIFIED").await;
    assert_eq!(own_check.error_code(), "FORBIDDEN");
    assert_eq!(own_check.error_message(), OWN_MIRROR);
    assert_eq!(
        check_mirror(&app, &tess, &mirror, "VERIFIED").await.data()["verifyMirror"]["mirror"]["status"],
        json!("VERIFIED")
    );

    let application = apply(&app, &tom, json!({ "class": "MIRROR", "statement": "MirrorCo hosts a mirror.", "organizationId": org, "mirrorIds": [mirror] })).await;
    let own_review = review(&app, &tom, &application, "APPROVE", None).await;
    assert_eq!(own_review.error_code(), "FORBIDDEN");
    assert_eq!(
        own_review.error_message(),
        "You cannot review your own application, nor your organization's; another member of the Technology Committee or an administrator must."
    );
    let approved = review(&app, &tess, &application, "APPROVE", None).await;
    assert_eq!(
        approved.data()["reviewApplication"]["membership"]["status"],
        json!("ACTIVE")
    );
}

#[tokio::test]
async fn a_technology_committee_member_cannot_check_their_own_mirror() {
    let app = TestApp::new().await;
    let tom = a_person_with(&app, "Tom", Role::TechnologyCommittee).await;
    let tess = a_person_with(&app, "Tess", Role::TechnologyCommittee).await;
    let root = a_person_with(&app, "Root", Role::Admin).await;

    // Tom's own mirror: not Tom, but an ADMIN may check it.
    let own = a_mirror(&app, &tom, "mirror.tom.example.org", None).await;
    let refused = check_mirror(&app, &tom, &own, "VERIFIED").await;
    assert_eq!(refused.error_code(), "FORBIDDEN");
    assert_eq!(refused.error_message(), OWN_MIRROR);
    assert_eq!(
        check_mirror(&app, &root, &own, "VERIFIED").await.data()["verifyMirror"]["mirror"]["status"],
        json!("VERIFIED")
    );

    // A mirror Tom registered for NetCo stays his case after he hands NetCo over to Bea.
    let bea = a_person(&app, "Bea").await;
    let org = an_organization(&app, &tom, "NetCo").await;
    let registered = a_mirror(&app, &tom, "mirror.netco.example.org", Some(&org)).await;
    tests::factories::add_representative(&app, &tom, &org, &bea).await;
    app.gql_as(
        &bea.access_token,
        "mutation($input: RepresentativeInput!) { removeRepresentative(input: $input) { organization { id } } }",
        json!({ "input": { "organizationId": org, "accountId": tom.id } }),
    )
    .await
    .data();
    let refused = check_mirror(&app, &tom, &registered, "REJECTED").await;
    assert_eq!(refused.error_code(), "FORBIDDEN");
    assert_eq!(refused.error_message(), OWN_MIRROR);
    assert_eq!(
        check_mirror(&app, &tess, &registered, "REJECTED")
            .await
            .data()["verifyMirror"]["mirror"]["status"],
        json!("REJECTED")
    );
}

#[tokio::test]
async fn a_mirror_membership_is_renewed_only_while_a_mirror_is_verified() {
    let app = TestApp::new().await;
    let tom = a_person_with(&app, "Tom", Role::TechnologyCommittee).await;
    let ada = a_person(&app, "Ada").await;
    let mirror = a_mirror(&app, &ada, "mirror.ada.example.org", None).await;
    check_mirror(&app, &tom, &mirror, "VERIFIED").await.data();
    let application = apply(
        &app,
        &ada,
        json!({ "class": "MIRROR", "statement": "I host a mirror.", "mirrorIds": [mirror] }),
    )
    .await;
    let approved = review(&app, &tom, &application, "APPROVE", None).await;
    let membership = approved.data()["reviewApplication"]["membership"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let no_mirror = "A Mirror membership is renewed only while one of the holder's mirrors is verified; have a mirror checked first.";

    // The re-check fails: the mirror is stale, and the membership cannot be renewed.
    check_mirror(&app, &tom, &mirror, "REJECTED").await.data();
    let refused = renew(&app, &tom, &membership).await;
    assert_eq!(refused.error_code(), "CONFLICT");
    assert_eq!(refused.error_message(), no_mirror);

    // Found good again, it can: one more term on top of the one the check gave.
    check_mirror(&app, &tom, &mirror, "VERIFIED").await.data();
    let renewed = renew(&app, &tom, &membership).await;
    let data = &renewed.data()["renewMembership"]["membership"];
    assert_eq!(data["status"], json!("ACTIVE"));
    assert_eq!(data["expiresOn"], json!(months_ahead(24).to_string()));

    // Thirteen months without a check, the mirror is overdue, and so stale again.
    app.sql(&format!(
        "UPDATE mirrors SET last_verified_at = '{}'",
        months_ago_at(13)
    ))
    .await;
    let overdue = renew(&app, &tom, &membership).await;
    assert_eq!(overdue.error_code(), "CONFLICT");
    assert_eq!(overdue.error_message(), no_mirror);
}

#[tokio::test]
async fn status_lapses_through_grace_to_expired_when_read() {
    let app = TestApp::new().await;
    let committee = a_person_with(&app, "Mia", Role::MembershipCommittee).await;
    let (ada, membership) = a_contributor(&app, "Ada", &committee).await;
    let status = |_: ()| app.gql_as(&ada.access_token, MEMBERSHIP, json!({ "id": membership }));
    assert_eq!(status(()).await.data()["node"]["status"], json!("ACTIVE"));
    let day =
        |days: i64| (chrono::Utc::now().date_naive() - chrono::Duration::days(days)).to_string();
    app.sql(&format!("UPDATE memberships SET ends_on = '{}'", day(1)))
        .await;
    assert_eq!(status(()).await.data()["node"]["status"], json!("GRACE"));
    let filtered = app
        .gql_as(
            &committee.access_token,
            "{ memberships(status: GRACE) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(filtered.data()["memberships"]["totalCount"], json!(1));
    app.sql(&format!("UPDATE memberships SET ends_on = '{}'", day(31)))
        .await;
    assert_eq!(status(()).await.data()["node"]["status"], json!("EXPIRED"));
    let active = app
        .gql_as(
            &committee.access_token,
            "{ memberships(status: ACTIVE) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(active.data()["memberships"]["totalCount"], json!(0));

    // The committee renews it, back to ACTIVE.
    let renewed = app
        .gql_as(
            &committee.access_token,
            "mutation($id: ID!) { renewMembership(input: { membershipId: $id }) { membership { status } } }",
            json!({ "id": membership }),
        )
        .await;
    assert_eq!(
        renewed.data()["renewMembership"]["membership"]["status"],
        json!("ACTIVE")
    );
}

#[tokio::test]
async fn suspension_comes_with_notice_and_a_chance_to_be_heard() {
    let app = TestApp::new().await;
    let committee = a_person_with(&app, "Mia", Role::MembershipCommittee).await;
    let tech = a_person_with(&app, "Tom", Role::TechnologyCommittee).await;
    let (ada, membership) = a_contributor(&app, "Ada", &committee).await;
    let suspend = "mutation($id: ID!) { suspendMembership(input: { membershipId: $id, reason: \"Spam in the forums\" }) { membership { status notice { kind effectiveOn } } } }";
    assert_eq!(
        app.gql_as(&tech.access_token, suspend, json!({ "id": membership }))
            .await
            .error_code(),
        "FORBIDDEN"
    );
    assert_eq!(
        app.gql_as(&ada.access_token, suspend, json!({ "id": membership }))
            .await
            .error_code(),
        "FORBIDDEN"
    );
    let noticed = app
        .gql_as(
            &committee.access_token,
            suspend,
            json!({ "id": membership }),
        )
        .await;
    let data = &noticed.data()["suspendMembership"]["membership"];
    assert_eq!(data["status"], json!("ACTIVE"));
    assert_eq!(data["notice"]["kind"], json!("SUSPEND"));
    let thirty = chrono::Utc::now().date_naive() + chrono::Duration::days(30);
    assert_eq!(data["notice"]["effectiveOn"], json!(thirty.to_string()));
    assert_eq!(
        app.gql_as(
            &committee.access_token,
            suspend,
            json!({ "id": membership })
        )
        .await
        .error_code(),
        "CONFLICT"
    );

    let respond = "mutation($id: ID!) { respondToMembershipNotice(input: { membershipId: $id, response: \"That was not me.\" }) { membership { notice { response } } } }";
    let answered = app
        .gql_as(&ada.access_token, respond, json!({ "id": membership }))
        .await;
    assert_eq!(
        answered.data()["respondToMembershipNotice"]["membership"]["notice"]["response"],
        json!("That was not me.")
    );

    // The notice period passes.
    app.sql("UPDATE memberships SET notice_effective_on = '2020-01-01'")
        .await;
    let seen = app
        .gql_as(
            &committee.access_token,
            MEMBERSHIP,
            json!({ "id": membership }),
        )
        .await;
    assert_eq!(seen.data()["node"]["status"], json!("SUSPENDED"));
    let others = a_person(&app, "Grace").await;
    let hidden = app
        .gql_as(
            &others.access_token,
            MEMBERSHIP,
            json!({ "id": membership }),
        )
        .await;
    assert_eq!(hidden.data()["node"]["notice"], json!(null));

    // Terminated is final: neither a renewal nor a new application brings it back.
    app.sql("UPDATE memberships SET notice_kind = 'TERMINATE'")
        .await;
    let renew = "mutation($id: ID!) { renewMembership(input: { membershipId: $id }) { membership { status } } }";
    let renewed = app
        .gql_as(&committee.access_token, renew, json!({ "id": membership }))
        .await;
    assert_eq!(renewed.error_code(), "CONFLICT");
    let again = apply_as_contributor(&app, &ada).await;
    assert_eq!(
        review(&app, &committee, &again, "APPROVE", None)
            .await
            .error_code(),
        "CONFLICT"
    );
}

#[tokio::test]
async fn mirrors_are_verified_by_the_technology_committee_and_carry_the_membership() {
    let app = TestApp::new().await;
    let tech = a_person_with(&app, "Tom", Role::TechnologyCommittee).await;
    let membership_committee = a_person_with(&app, "Mia", Role::MembershipCommittee).await;
    let ada = a_person(&app, "Ada").await;
    let org = app
        .gql_as(&ada.access_token, "mutation { createOrganization(input: { name: \"MirrorCo\" }) { organization { id } } }", json!({}))
        .await
        .data()["createOrganization"]["organization"]["id"]
        .clone();
    let register = "mutation($input: RegisterMirrorInput!) { registerMirror(input: $input) { mirror { id status } } }";
    let input = json!({ "hostName": "mirror.example.de", "httpUrl": "https://mirror.example.de/almalinux/", "country": "de", "organizationId": org });
    let mirror = app
        .gql_as(&ada.access_token, register, json!({ "input": input }))
        .await;
    let mirror_id = mirror.data()["registerMirror"]["mirror"]["id"].clone();
    assert_eq!(
        mirror.data()["registerMirror"]["mirror"]["status"],
        json!("PENDING")
    );
    assert_eq!(
        app.gql_as(&ada.access_token, register, json!({ "input": input }))
            .await
            .error_code(),
        "CONFLICT"
    );
    let bad_country = app.gql_as(&ada.access_token, register, json!({ "input": { "hostName": "m.example.org", "httpUrl": "https://m.example.org/", "country": "XX" } })).await;
    assert_eq!(bad_country.error_field(), "input.country");
    let wrong_host = app.gql_as(&ada.access_token, register, json!({ "input": { "hostName": "m.example.org", "httpUrl": "https://elsewhere.example.org/", "country": "US" } })).await;
    assert_eq!(wrong_host.error_field(), "input.httpUrl");

    let application = apply(&app, &ada, json!({ "class": "MIRROR", "statement": "We host a mirror.", "organizationId": org, "mirrorIds": [mirror_id] })).await;
    // Not verified yet: the committee cannot approve.
    assert_eq!(
        review(&app, &tech, &application, "APPROVE", None)
            .await
            .error_code(),
        "CONFLICT"
    );
    assert_eq!(
        review(&app, &membership_committee, &application, "APPROVE", None)
            .await
            .error_code(),
        "NOT_FOUND"
    );

    let verify = "mutation($input: VerifyMirrorInput!) { verifyMirror(input: $input) { mirror { status verifications { outcome notes } } } }";
    let check = |outcome: &str| json!({ "input": { "mirrorId": mirror_id, "outcome": outcome, "notes": "repomd.xml is fresh" } });
    assert_eq!(
        app.gql_as(&ada.access_token, verify, check("VERIFIED"))
            .await
            .error_code(),
        "FORBIDDEN"
    );
    assert_eq!(
        app.gql_as(
            &membership_committee.access_token,
            verify,
            check("VERIFIED")
        )
        .await
        .error_code(),
        "FORBIDDEN"
    );
    let verified = app
        .gql_as(&tech.access_token, verify, check("VERIFIED"))
        .await;
    assert_eq!(
        verified.data()["verifyMirror"]["mirror"]["status"],
        json!("VERIFIED")
    );
    assert_eq!(
        verified.data()["verifyMirror"]["mirror"]["verifications"],
        json!([{ "outcome": "VERIFIED", "notes": "repomd.xml is fresh" }])
    );

    let approved = review(&app, &tech, &application, "APPROVE", None).await;
    let membership = approved.data()["reviewApplication"]["membership"].clone();
    assert_eq!(membership["status"], json!("ACTIVE"));

    // A failed re-check makes the mirror stale and, as it was the last one, puts the
    // membership into grace.
    let failed = app
        .gql_as(&tech.access_token, verify, check("REJECTED"))
        .await;
    assert_eq!(
        failed.data()["verifyMirror"]["mirror"]["status"],
        json!("STALE")
    );
    let status = app
        .gql_as(
            &ada.access_token,
            MEMBERSHIP,
            json!({ "id": membership["id"] }),
        )
        .await;
    assert_eq!(status.data()["node"]["status"], json!("GRACE"));
    // Verified again, it is active again.
    app.gql_as(&tech.access_token, verify, check("VERIFIED"))
        .await
        .data();
    let status = app
        .gql_as(
            &ada.access_token,
            MEMBERSHIP,
            json!({ "id": membership["id"] }),
        )
        .await;
    assert_eq!(status.data()["node"]["status"], json!("ACTIVE"));
}
