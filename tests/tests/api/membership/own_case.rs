//! No one decides their own case: committee members, their organizations and their mirrors.

use api::auth::Role;
use serde_json::json;
use tests::{
    TestApp,
    factories::{
        a_mirror, a_person, a_person_with, an_organization, apply, apply_as_contributor,
        check_mirror, renew, review,
    },
};

use super::{APPLICATIONS, OWN_MIRROR, months_ahead};

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
