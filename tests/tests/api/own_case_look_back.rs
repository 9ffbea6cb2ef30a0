//! The own-case rule looks back: stepping down as an organization's representative for a
//! moment does not make its case someone else's. Whoever represented it when the case was
//! opened, or at any time within the policy's look-back window, still may not decide it.

use api::auth::Role;
use serde_json::json;
use tests::{
    TestApp,
    factories::{
        RECORD_SPONSORSHIP, a_mirror, a_person, a_person_with, a_sponsorship, add_representative,
        an_organization, apply, check_mirror, keyed, remove_representative, review, tier_id,
    },
};

const LOOK_BACK: &str = "You cannot decide this case: under the own-case rule, no one decides a case of an organization they represent, represented when the case was opened, or represented in the last 90 days; another member of the Technology Committee or an administrator must.";

const LOOK_BACK_TREASURER: &str = "You cannot decide this case: under the own-case rule, no one decides a case of an organization they represent, represented when the case was opened, or represented in the last 90 days; another treasurer or an administrator must.";

const SET_LOOK_BACK: &str = "mutation($days: Int!) { updateGovernancePolicy(input: { ownCaseLookBackDays: $days }) { policy { ownCaseLookBackDays } } }";

#[tokio::test]
async fn a_committee_member_who_steps_down_for_a_moment_still_cannot_decide_their_organizations_mirror_or_application()
 {
    let app = TestApp::new().await;
    let tom = a_person_with(&app, "Tom", Role::TechnologyCommittee).await;
    let tess = a_person_with(&app, "Tess", Role::TechnologyCommittee).await;
    let cora = a_person(&app, "Cora").await;
    let org = an_organization(&app, &tom, "MirrorCo").await;
    add_representative(&app, &tom, &org, &cora).await;
    // Cora registers the mirror and applies, so that nothing but Tom's representation ties him
    // to the case.
    let mirror = a_mirror(&app, &cora, "mirror.mirrorco.example.org", Some(&org)).await;
    let application = apply(&app, &cora, json!({ "class": "MIRROR", "statement": "MirrorCo hosts a mirror.", "organizationId": org, "mirrorIds": [mirror] })).await;

    // Tom steps down, decides, and would be re-added by Cora.
    remove_representative(&app, &tom, &org, &tom).await;
    let check = check_mirror(&app, &tom, &mirror, "VERIFIED").await;
    assert_eq!(check.error_code(), "FORBIDDEN");
    assert_eq!(check.error_message(), LOOK_BACK);
    assert_eq!(
        check_mirror(&app, &tess, &mirror, "VERIFIED").await.data()["verifyMirror"]["mirror"]["status"],
        json!("VERIFIED")
    );
    let approve = review(&app, &tom, &application, "APPROVE", None).await;
    assert_eq!(approve.error_code(), "FORBIDDEN");
    assert_eq!(approve.error_message(), LOOK_BACK);
    let reject = review(&app, &tom, &application, "REJECT", Some("No.")).await;
    assert_eq!(reject.error_message(), LOOK_BACK);
    add_representative(&app, &cora, &org, &tom).await;

    // With no look-back at all he is still barred: he represented MirrorCo when its mirror was
    // registered and its application made.
    let root = a_person_with(&app, "Root", Role::Admin).await;
    app.gql_as(&root.access_token, SET_LOOK_BACK, json!({ "days": 0 }))
        .await
        .data();
    remove_representative(&app, &cora, &org, &tom).await;
    let approve = review(&app, &tom, &application, "APPROVE", None).await;
    assert_eq!(approve.error_code(), "FORBIDDEN");
    assert_eq!(
        approve.error_message(),
        LOOK_BACK.replace("in the last 90 days", "in the last 0 days")
    );
    let approved = review(&app, &tess, &application, "APPROVE", None).await;
    assert_eq!(
        approved.data()["reviewApplication"]["application"]["status"],
        json!("APPROVED")
    );
}

#[tokio::test]
async fn a_treasurer_who_steps_down_for_a_moment_still_cannot_record_their_organizations_sponsorship()
 {
    let app = TestApp::new().await;
    let tina = a_person_with(&app, "Tina", Role::Treasurer).await;
    let tess = a_person_with(&app, "Tess", Role::Treasurer).await;
    let root = a_person_with(&app, "Root", Role::Admin).await;
    let cora = a_person(&app, "Cora").await;
    let org = an_organization(&app, &tina, "Acme").await;
    add_representative(&app, &tina, &org, &cora).await;
    let silver = tier_id(&app, "Silver").await;

    remove_representative(&app, &tina, &org, &tina).await;
    let own = app
        .gql_as(
            &tina.access_token,
            RECORD_SPONSORSHIP,
            a_sponsorship(&org, "Silver").json(&silver),
        )
        .await;
    assert_eq!(own.error_code(), "FORBIDDEN");
    assert_eq!(own.error_message(), LOOK_BACK_TREASURER);

    // Nor a contribution to a sponsorship another treasurer recorded.
    let sponsorship = a_sponsorship(&org, "Silver").record(&app, &tess).await;
    let contribution = app
        .gql_as(
            &tina.access_token,
            "mutation($input: RecordContributionInput!) { recordContribution(input: $input) { contribution { id } } }",
            keyed(json!({ "input": { "sponsorshipId": sponsorship, "amountMinor": "250000", "currency": "USD", "receivedOn": chrono::Utc::now().date_naive().to_string(), "kind": "MONETARY", "note": "wire" } })),
        )
        .await;
    assert_eq!(contribution.error_code(), "FORBIDDEN");
    assert_eq!(contribution.error_message(), LOOK_BACK_TREASURER);

    // The window is the policy's: 90 days unless the foundation says otherwise.
    assert_eq!(
        app.gql_as(
            &root.access_token,
            "{ governancePolicy { ownCaseLookBackDays } }",
            json!({})
        )
        .await
        .data()["governancePolicy"]["ownCaseLookBackDays"],
        json!(90)
    );
    let out_of_range = app
        .gql_as(&root.access_token, SET_LOOK_BACK, json!({ "days": -1 }))
        .await;
    assert_eq!(out_of_range.error_code(), "BAD_USER_INPUT");
    app.gql_as(&root.access_token, SET_LOOK_BACK, json!({ "days": 0 }))
        .await
        .data();
    let later = app
        .gql_as(
            &tina.access_token,
            RECORD_SPONSORSHIP,
            a_sponsorship(&org, "Silver")
                .from(chrono::Utc::now().date_naive() + chrono::Days::new(400))
                .json(&silver),
        )
        .await;
    assert_eq!(
        later.data()["recordSponsorship"]["sponsorship"]["status"],
        json!("PENDING"),
        "with no look-back, a sponsorship recorded after she stepped down is no longer her case"
    );
}
