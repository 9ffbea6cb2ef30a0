//! A membership's life after approval: grace, expiry, suspension with notice and a chance to be heard.

use api::auth::Role;
use serde_json::json;
use tests::{
    TestApp,
    factories::{a_contributor, a_person, a_person_with, apply_as_contributor, review},
};

use super::MEMBERSHIP;

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
