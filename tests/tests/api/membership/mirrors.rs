//! Mirrors: verified by the Technology Committee, carrying the Mirror membership while one stays verified.

use api::auth::Role;
use serde_json::json;
use tests::{
    TestApp,
    factories::{a_mirror, a_person, a_person_with, apply, check_mirror, renew, review},
};

use super::{MEMBERSHIP, months_ago_at, months_ahead};

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
