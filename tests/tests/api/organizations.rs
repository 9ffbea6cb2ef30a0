//! Organizations and their representatives.

use api::auth::Role;
use serde_json::json;
use tests::{
    TestApp,
    factories::{
        Person, a_person, a_person_with, a_sponsorship, an_organization, invite_representative,
        respond_to_invitation, seat_director,
    },
};

const CREATE: &str = "mutation($input: CreateOrganizationInput!) {
  createOrganization(input: $input) { organization { id name websiteUrl representatives { displayName } } }
}";
const ADD: &str = "mutation($input: RepresentativeInput!) { addRepresentative(input: $input) { organization { id } } }";
const REMOVE: &str = "mutation($input: RepresentativeInput!) { removeRepresentative(input: $input) { organization { id } } }";

#[tokio::test]
async fn the_creator_becomes_the_first_representative() {
    let app = TestApp::new().await;
    let ada = a_person(&app, "Ada").await;
    let created = app
        .gql_as(
            &ada.access_token,
            CREATE,
            json!({ "input": { "name": "CloudCo", "websiteUrl": "https://cloud.example.com" } }),
        )
        .await;
    let organization = &created.data()["createOrganization"]["organization"];
    assert_eq!(organization["name"], json!("CloudCo"));
    assert_eq!(
        organization["representatives"],
        json!([{ "displayName": "Ada" }])
    );
    let viewer = app
        .gql_as(
            &ada.access_token,
            "{ viewer { organizations { name } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        viewer.data()["viewer"]["organizations"],
        json!([{ "name": "CloudCo" }])
    );
    // Anonymous callers need to log in.
    let anonymous = app
        .gql(CREATE, json!({ "input": { "name": "Nope" } }))
        .await;
    assert_eq!(anonymous.error_code(), "UNAUTHENTICATED");
}

#[tokio::test]
async fn urls_must_be_http_or_https() {
    let app = TestApp::new().await;
    let ada = a_person(&app, "Ada").await;
    let response = app
        .gql_as(
            &ada.access_token,
            CREATE,
            json!({ "input": { "name": "X", "logoUrl": "javascript:alert(1)" } }),
        )
        .await;
    assert_eq!(response.error_code(), "BAD_USER_INPUT");
    assert_eq!(response.error_field(), "input.logoUrl");
}

#[tokio::test]
async fn representatives_manage_representatives_and_one_always_remains() {
    let app = TestApp::new().await;
    let ada = a_person(&app, "Ada").await;
    let grace = a_person(&app, "Grace").await;
    let mallory = a_person(&app, "Mallory").await;
    let created = app
        .gql_as(
            &ada.access_token,
            CREATE,
            json!({ "input": { "name": "CloudCo" } }),
        )
        .await;
    let org = created.data()["createOrganization"]["organization"]["id"].clone();
    let input = |account: &str| json!({ "input": { "organizationId": org, "accountId": account } });

    assert_eq!(
        app.gql_as(&mallory.access_token, ADD, input(&mallory.id))
            .await
            .error_code(),
        "FORBIDDEN"
    );
    let invitation = invite_representative(&app, &ada, org.as_str().expect("id"), &grace).await;
    // One open invitation per person is enough.
    assert_eq!(
        app.gql_as(&ada.access_token, ADD, input(&grace.id))
            .await
            .error_code(),
        "CONFLICT"
    );
    respond_to_invitation(&app, &grace, &invitation, true)
        .await
        .data();
    // Once she accepted, she already represents it.
    let again = app.gql_as(&ada.access_token, ADD, input(&grace.id)).await;
    assert_eq!(again.error_code(), "CONFLICT");
    assert_eq!(
        again.error_message(),
        "The account already represents this organization."
    );
    // Grace, now a representative, sees the list; Mallory does not.
    let query = "query($id: ID!) { node(id: $id) { ... on Organization { representatives { displayName } } } }";
    let seen = app
        .gql_as(&grace.access_token, query, json!({ "id": org }))
        .await;
    assert_eq!(
        seen.data()["node"]["representatives"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    let hidden = app
        .gql_as(&mallory.access_token, query, json!({ "id": org }))
        .await;
    assert_eq!(hidden.data()["node"]["representatives"], json!(null));

    app.gql_as(&grace.access_token, REMOVE, input(&ada.id))
        .await
        .data();
    let last = app
        .gql_as(&grace.access_token, REMOVE, input(&grace.id))
        .await;
    assert_eq!(last.error_code(), "CONFLICT");
}

const INVITATIONS: &str = "{ viewer { organizations { name } representativeInvitations(status: PENDING) { nodes { id status organization { name } invitedBy { displayName } } } } }";

/// What `person` sees of their pending invitations.
async fn pending_invitations(app: &TestApp, person: &Person) -> serde_json::Value {
    app.gql_as(&person.access_token, INVITATIONS, json!({}))
        .await
        .data()["viewer"]["representativeInvitations"]["nodes"]
        .clone()
}

fn key(id: &str) -> uuid::Uuid {
    api::ids::decode(id).expect("an id").1
}

#[tokio::test]
async fn a_stranger_s_organization_cannot_knock_a_candidate_off_the_ballot() {
    let f = crate::elections::foundation().await;
    let app = &f.app;
    let ada = f.member("Ada").await;
    let cora = f.member("Cora").await;
    let sam = f.member("Sam").await;
    // Sam sits on the board for a term that continues past this election.
    seat_director(app, key(&sam.id), None).await;
    let election = f.election("GENERAL", 1).await;
    let cora_n = f.candidate(&ada, &election, &cora).await;
    assert_eq!(f.nominee(&election, &cora_n).await["eligible"], json!(true));

    // Mallory, who signed up a minute ago and is no member, makes "Trap Org" and names Cora and
    // the sitting director Sam its representatives.
    let mallory = a_person(app, "Mallory").await;
    let trap = an_organization(app, &mallory, "Trap Org").await;
    invite_representative(app, &mallory, &trap, &cora).await;
    invite_representative(app, &mallory, &trap, &sam).await;

    // Nothing changed: Cora stays eligible, and voting opens with her on the ballot.
    let seen = f.nominee(&election, &cora_n).await;
    assert_eq!(seen["eligible"], json!(true), "{seen}");
    assert_eq!(seen["eligibility"]["reason"], json!(null), "{seen}");
    assert_eq!(f.open_voting(&election).await, 3);

    // Cora is told, sees who asked, and declines; she never represented Trap Org.
    let pending = pending_invitations(app, &cora).await;
    assert_eq!(
        pending,
        json!([{
            "id": pending[0]["id"],
            "status": "PENDING",
            "organization": { "name": "Trap Org" },
            "invitedBy": { "displayName": "Mallory" }
        }])
    );
    let invitation = pending[0]["id"].as_str().expect("an invitation id");
    let declined = respond_to_invitation(app, &cora, invitation, false).await;
    assert_eq!(
        declined.data()["respondToRepresentativeInvitation"]["invitation"]["status"],
        json!("DECLINED")
    );
    let cora_now = app.gql_as(&cora.access_token, INVITATIONS, json!({})).await;
    assert_eq!(cora_now.data()["viewer"]["organizations"], json!([]));
    assert_eq!(
        app.gql_as(
            &mallory.access_token,
            "query($id: ID!) { node(id: $id) { ... on Organization { representatives { displayName } } } }",
            json!({ "id": trap })
        )
        .await
        .data()["node"]["representatives"],
        json!([{ "displayName": "Mallory" }])
    );
}

#[tokio::test]
async fn a_stranger_s_organization_cannot_make_the_treasurer_decide_its_own_case() {
    let app = TestApp::new().await;
    let tess = a_person_with(&app, "Tess", Role::Treasurer).await;
    let mallory = a_person(&app, "Mallory").await;
    let trap = an_organization(&app, &mallory, "Trap Org").await;
    let invitation = invite_representative(&app, &mallory, &trap, &tess).await;

    // The invitation alone does not make Trap Org the treasurer's own case.
    a_sponsorship(&trap, "Silver").record(&app, &tess).await;

    // Once she accepts an organization's invitation, its sponsorships are her own case.
    let other = an_organization(&app, &mallory, "Trap Two").await;
    let invitation_two = invite_representative(&app, &mallory, &other, &tess).await;
    respond_to_invitation(&app, &tess, &invitation_two, true)
        .await
        .data();
    let tier = tests::factories::tier_id(&app, "Silver").await;
    let own = app
        .gql_as(
            &tess.access_token,
            tests::factories::RECORD_SPONSORSHIP,
            a_sponsorship(&other, "Silver").json(&tier),
        )
        .await;
    assert_eq!(own.error_code(), "FORBIDDEN");
    // The first invitation, never answered, still changes nothing.
    assert_eq!(
        app.gql_as(
            &tess.access_token,
            "{ viewer { organizations { name } } }",
            json!({})
        )
        .await
        .data()["viewer"]["organizations"],
        json!([{ "name": "Trap Two" }])
    );
    let _ = invitation;
}

#[tokio::test]
async fn only_the_invited_person_answers_and_the_organization_may_withdraw() {
    let app = TestApp::new().await;
    let ada = a_person(&app, "Ada").await;
    let grace = a_person(&app, "Grace").await;
    let mallory = a_person(&app, "Mallory").await;
    let org = an_organization(&app, &ada, "CloudCo").await;
    let invitation = invite_representative(&app, &ada, &org, &grace).await;

    // Mallory can neither accept Grace's invitation nor see it.
    let stolen = respond_to_invitation(&app, &mallory, &invitation, true).await;
    assert_eq!(stolen.error_code(), "NOT_FOUND");
    let node = "query($id: ID!) { node(id: $id) { ... on RepresentativeInvitation { status account { displayName } } } }";
    assert_eq!(
        app.gql_as(&mallory.access_token, node, json!({ "id": invitation }))
            .await
            .data()["node"],
        json!(null)
    );
    assert_eq!(
        app.gql(node, json!({ "id": invitation })).await.data()["node"],
        json!(null)
    );
    let cancel = "mutation($input: CancelRepresentativeInvitationInput!) { cancelRepresentativeInvitation(input: $input) { invitation { status } } }";
    assert_eq!(
        app.gql_as(
            &mallory.access_token,
            cancel,
            json!({ "input": { "invitationId": invitation } })
        )
        .await
        .error_code(),
        "NOT_FOUND"
    );
    // Grace and Ada both see it; Ada sees it among CloudCo's invitations.
    for person in [&grace, &ada] {
        assert_eq!(
            app.gql_as(&person.access_token, node, json!({ "id": invitation }))
                .await
                .data()["node"],
            json!({ "status": "PENDING", "account": { "displayName": "Grace" } })
        );
    }
    let sent = app
        .gql_as(
            &ada.access_token,
            "query($id: ID!) { node(id: $id) { ... on Organization { representativeInvitations { totalCount nodes { status } } } } }",
            json!({ "id": org }),
        )
        .await;
    assert_eq!(
        sent.data()["node"]["representativeInvitations"],
        json!({ "totalCount": 1, "nodes": [{ "status": "PENDING" }] })
    );

    // Ada withdraws it; Grace's answer then comes too late.
    let withdrawn = app
        .gql_as(
            &ada.access_token,
            cancel,
            json!({ "input": { "invitationId": invitation } }),
        )
        .await;
    assert_eq!(
        withdrawn.data()["cancelRepresentativeInvitation"]["invitation"]["status"],
        json!("CANCELLED")
    );
    let late = respond_to_invitation(&app, &grace, &invitation, true).await;
    assert_eq!(late.error_code(), "CONFLICT");
    assert_eq!(pending_invitations(&app, &grace).await, json!([]));
    // A new invitation can be sent after a withdrawal or a refusal.
    let again = invite_representative(&app, &ada, &org, &grace).await;
    respond_to_invitation(&app, &grace, &again, true)
        .await
        .data();
    assert_eq!(
        app.gql_as(&grace.access_token, INVITATIONS, json!({}))
            .await
            .data()["viewer"]["organizations"],
        json!([{ "name": "CloudCo" }])
    );
}

#[tokio::test]
async fn an_invitation_and_its_answer_are_audited_and_mailed_once() {
    let app = TestApp::new().await;
    let ada = a_person(&app, "Ada").await;
    let grace = a_person(&app, "Grace").await;
    let org = an_organization(&app, &ada, "CloudCo").await;
    let invitation = invite_representative(&app, &ada, &org, &grace).await;
    respond_to_invitation(&app, &grace, &invitation, true)
        .await
        .data();
    let actions: Vec<String> = {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
        entity::prelude::AuditEvent::find()
            .filter(entity::audit_event::Column::SubjectId.eq(key(&org)))
            .order_by_asc(entity::audit_event::Column::Seq)
            .all(app.db())
            .await
            .expect("the audit log")
            .into_iter()
            .map(|event| format!("{:?}", event.action))
            .collect()
    };
    assert_eq!(
        actions,
        [
            "OrganizationCreated",
            "OrganizationRepresentativeInvited",
            "OrganizationRepresentativeAdded"
        ]
    );
    let mail: Vec<(String, String)> = {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        entity::prelude::EmailMessage::find()
            .filter(entity::email_message::Column::AccountId.eq(key(&grace.id)))
            .filter(entity::email_message::Column::Kind.eq("representative_invited"))
            .all(app.db())
            .await
            .expect("the mail outbox")
            .into_iter()
            .map(|message| (message.subject, message.body.unwrap_or_default()))
            .collect()
    };
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].0, "You were invited to represent CloudCo");
    assert!(
        mail[0].1.contains("Nothing changes until you accept"),
        "{}",
        mail[0].1
    );
}
