//! The member portal: what a signed-in member sees of themselves and changes about themselves,
//! their organizations and their draft amendments.

use api::auth::Role;
use serde_json::{Value, json};
use tests::{
    TestApp,
    factories::{
        PASSWORD, Person, a_contributor, a_draft_amendment, a_gold_sponsor, a_person,
        a_person_with, a_proposed_amendment, an_organization, apply_as_contributor, no_waiting,
        open_vote, sample_bylaws, submit_amendment, vote,
    },
};

const EVENTS: &str =
    "query($subject: ID) { auditEvents(subjectId: $subject) { nodes { action actorId summary } } }";

/// The audit entries about `subject`, as `(action, summary)`, read by an administrator.
async fn audit_of(app: &TestApp, subject: &str) -> Vec<(String, Value)> {
    let admin = a_person_with(app, "Auditor", Role::Admin).await;
    let events = app
        .gql_as(&admin.access_token, EVENTS, json!({ "subject": subject }))
        .await;
    events.data()["auditEvents"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| {
            (
                n["action"].as_str().expect("action").to_owned(),
                n["summary"].clone(),
            )
        })
        .collect()
}

const MINE: &str = "{ viewer { memberships { id class { key } status expiresOn voteWeight holder { __typename } } applications { totalCount nodes { id status } } } }";

#[tokio::test]
async fn a_member_sees_their_own_memberships_and_those_of_their_organization() {
    let app = TestApp::new().await;
    let committee = a_person_with(&app, "Mia", Role::MembershipCommittee).await;
    let treasurer = a_person_with(&app, "Tess", Role::Treasurer).await;
    let (ada, contributor) = a_contributor(&app, "Ada", &committee).await;
    // Ada also represents a Gold sponsor; Bo, a stranger, holds nothing.
    let gold = a_gold_sponsor(&app, &treasurer, "CloudCo").await;
    let bo = a_person(&app, "Bo").await;

    let mine = app.gql_as(&ada.access_token, MINE, json!({})).await;
    let viewer = &mine.data()["viewer"];
    assert_eq!(
        viewer["memberships"],
        json!([{ "id": contributor, "class": { "key": "CONTRIBUTOR" }, "status": "ACTIVE",
                 "expiresOn": viewer["memberships"][0]["expiresOn"], "voteWeight": 1,
                 "holder": { "__typename": "Account" } }])
    );
    assert!(viewer["memberships"][0]["expiresOn"].is_string());
    assert_eq!(viewer["applications"]["totalCount"], json!(1));
    assert_eq!(
        viewer["applications"]["nodes"][0]["status"],
        json!("APPROVED")
    );

    let sponsor = app.gql_as(&gold.access_token, MINE, json!({})).await;
    let memberships = &sponsor.data()["viewer"]["memberships"];
    assert_eq!(memberships[0]["class"]["key"], json!("SPONSOR"));
    assert_eq!(memberships[0]["voteWeight"], json!(15));
    assert_eq!(
        memberships[0]["holder"]["__typename"],
        json!("Organization")
    );

    let stranger = app.gql_as(&bo.access_token, MINE, json!({})).await;
    assert_eq!(stranger.data()["viewer"]["memberships"], json!([]));
    assert_eq!(
        stranger.data()["viewer"]["applications"]["totalCount"],
        json!(0)
    );
    assert_eq!(app.gql(MINE, json!({})).await.data()["viewer"], json!(null));
}

/// Ada's account read through `node(id:)`, with its self-only fields.
const ACCOUNT_BY_ID: &str = "query($id: ID!) { node(id: $id) { __typename id ... on Account { displayName memberships { id } applications { totalCount } } } }";

#[tokio::test]
async fn viewer_is_the_persons_own_account_and_its_self_only_fields_answer_to_no_one_else() {
    let app = TestApp::new().await;
    let committee = a_person_with(&app, "Mia", Role::MembershipCommittee).await;
    let admin = a_person_with(&app, "Root", Role::Admin).await;
    let (ada, contributor) = a_contributor(&app, "Ada", &committee).await;
    let bo = a_person(&app, "Bo").await;

    // `viewer` is an Account with Ada's own id: a normalized cache merges it with every other
    // place Ada's account appears.
    let me = app
        .gql_as(&ada.access_token, "{ viewer { __typename id } }", json!({}))
        .await;
    assert_eq!(
        me.data()["viewer"],
        json!({ "__typename": "Account", "id": ada.id })
    );
    let own = app
        .gql_as(&ada.access_token, ACCOUNT_BY_ID, json!({ "id": ada.id }))
        .await;
    assert_eq!(
        own.data()["node"]["memberships"],
        json!([{ "id": contributor }])
    );
    assert_eq!(own.data()["node"]["applications"]["totalCount"], json!(1));

    // Another member and an administrator see the account, not what Ada holds or applied for.
    for (who, token) in [
        ("a stranger", &bo.access_token),
        ("an ADMIN", &admin.access_token),
    ] {
        let other = app
            .gql_as(token, ACCOUNT_BY_ID, json!({ "id": ada.id }))
            .await;
        assert_eq!(other.data()["node"]["displayName"], json!("Ada"), "{who}");
        assert_eq!(other.data()["node"]["memberships"], json!(null), "{who}");
        assert_eq!(other.data()["node"]["applications"], json!(null), "{who}");
    }
}

#[tokio::test]
async fn a_member_pages_through_their_applications_and_filters_them_by_status() {
    let app = TestApp::new().await;
    let ada = a_person(&app, "Ada").await;
    let other = a_person(&app, "Bo").await;
    apply_as_contributor(&app, &ada).await;
    apply_as_contributor(&app, &other).await;
    let page = app
        .gql_as(
            &ada.access_token,
            "{ viewer { applications(first: 1, status: SUBMITTED) { totalCount pageInfo { hasNextPage } nodes { status } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        page.data()["viewer"]["applications"],
        json!({ "totalCount": 1, "pageInfo": { "hasNextPage": false }, "nodes": [{ "status": "SUBMITTED" }] })
    );
}

const SIGN_UP: &str = "mutation($input: SignUpInput!) { signUp(input: $input) { account { id email displayName roles organizations { id } } } }";
const LOG_IN: &str = "mutation($input: LogInInput!) { logIn(input: $input) { accessToken account { id email roles organizations { name } } } }";

#[tokio::test]
async fn sign_up_and_log_in_return_the_whole_account() {
    let app = TestApp::new().await;
    let signed_up = app
        .gql(
            SIGN_UP,
            json!({ "input": { "email": "Zeynep@Example.org", "password": PASSWORD, "displayName": "Zeynep" } }),
        )
        .await;
    let account = &signed_up.data()["signUp"]["account"];
    assert_eq!(account["email"], json!("zeynep@example.org"));
    assert_eq!(account["roles"], json!([]));
    assert_eq!(account["organizations"], json!([]));

    let logged_in = app
        .gql(
            LOG_IN,
            json!({ "input": { "email": "zeynep@example.org", "password": PASSWORD } }),
        )
        .await;
    let token = logged_in.data()["logIn"]["accessToken"]
        .as_str()
        .expect("a token")
        .to_owned();
    let zeynep = Person {
        id: account["id"].as_str().expect("id").to_owned(),
        email: "zeynep@example.org".to_owned(),
        access_token: token,
        refresh_token: String::new(),
    };
    an_organization(&app, &zeynep, "CloudCo").await;
    let again = app
        .gql(
            LOG_IN,
            json!({ "input": { "email": "zeynep@example.org", "password": PASSWORD } }),
        )
        .await;
    assert_eq!(
        again.data()["logIn"]["account"]["organizations"],
        json!([{ "name": "CloudCo" }])
    );
    assert_eq!(
        again.data()["logIn"]["account"]["email"],
        json!("zeynep@example.org")
    );
}

const UPDATE_PROFILE: &str = "mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { account { id displayName email } } }";

#[tokio::test]
async fn a_person_renames_themselves_and_the_change_is_audited() {
    let app = TestApp::new().await;
    let ada = a_person(&app, "Ada").await;
    let renamed = app
        .gql_as(
            &ada.access_token,
            UPDATE_PROFILE,
            json!({ "input": { "displayName": "  Ada King " } }),
        )
        .await;
    assert_eq!(
        renamed.data()["updateProfile"]["account"],
        json!({ "id": ada.id, "displayName": "Ada King", "email": ada.email })
    );
    let entries = audit_of(&app, &ada.id).await;
    assert!(entries.contains(&(
        "account.profile_updated".to_owned(),
        json!({ "displayName": "Ada King" })
    )));

    let blank = app
        .gql_as(
            &ada.access_token,
            UPDATE_PROFILE,
            json!({ "input": { "displayName": "  " } }),
        )
        .await;
    assert_eq!(blank.error_code(), "BAD_USER_INPUT");
    assert_eq!(blank.error_field(), "input.displayName");
    let anonymous = app
        .gql(UPDATE_PROFILE, json!({ "input": { "displayName": "Eve" } }))
        .await;
    assert_eq!(anonymous.error_code(), "UNAUTHENTICATED");
}

const CHANGE_PASSWORD: &str =
    "mutation($input: ChangePasswordInput!) { changePassword(input: $input) { account { id } } }";
const VIEWER_ID: &str = "{ viewer { id } }";

async fn log_in(app: &TestApp, email: &str, password: &str) -> tests::Gql {
    app.gql(
        "mutation($input: LogInInput!) { logIn(input: $input) { accessToken } }",
        json!({ "input": { "email": email, "password": password } }),
    )
    .await
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one_and_ends_every_other_session() {
    let app = TestApp::new().await;
    let ada = a_person(&app, "Ada").await;
    let laptop = log_in(&app, &ada.email, PASSWORD).await.data()["logIn"]["accessToken"]
        .as_str()
        .expect("token")
        .to_owned();
    let new_password = "a much longer new passphrase";

    let wrong = app
        .gql_as(
            &ada.access_token,
            CHANGE_PASSWORD,
            json!({ "input": { "currentPassword": "not my password", "newPassword": new_password } }),
        )
        .await;
    assert_eq!(wrong.error_code(), "BAD_USER_INPUT");
    assert_eq!(wrong.error_field(), "input.currentPassword");
    let short = app
        .gql_as(
            &ada.access_token,
            CHANGE_PASSWORD,
            json!({ "input": { "currentPassword": PASSWORD, "newPassword": "short" } }),
        )
        .await;
    assert_eq!(short.error_field(), "input.newPassword");
    // Nothing changed yet: the laptop still works.
    app.gql_as(&laptop, VIEWER_ID, json!({})).await.data();

    let changed = app
        .gql_as(
            &ada.access_token,
            CHANGE_PASSWORD,
            json!({ "input": { "currentPassword": PASSWORD, "newPassword": new_password } }),
        )
        .await;
    assert_eq!(
        changed.data()["changePassword"]["account"]["id"],
        json!(ada.id)
    );
    // The caller's session stays; the laptop's ended.
    assert_eq!(
        app.gql_as(&ada.access_token, VIEWER_ID, json!({}))
            .await
            .data()["viewer"]["id"],
        json!(ada.id)
    );
    assert_eq!(
        app.gql_as(&laptop, VIEWER_ID, json!({})).await.error_code(),
        "UNAUTHENTICATED"
    );
    assert_eq!(
        log_in(&app, &ada.email, PASSWORD).await.error_code(),
        "UNAUTHENTICATED"
    );
    log_in(&app, &ada.email, new_password).await.data();

    let entries = audit_of(&app, &ada.id).await;
    let entry = entries
        .iter()
        .find(|(action, _)| action == "account.password_changed")
        .expect("an audit entry");
    assert_eq!(entry.1, json!({ "sessionsEnded": 1 }));
    assert!(!entry.1.to_string().contains(new_password));
}

#[tokio::test]
async fn logging_out_everywhere_ends_every_session() {
    let app = TestApp::new().await;
    let ada = a_person(&app, "Ada").await;
    let laptop = log_in(&app, &ada.email, PASSWORD).await.data()["logIn"]["accessToken"]
        .as_str()
        .expect("token")
        .to_owned();
    let phone = log_in(&app, &ada.email, PASSWORD).await.data()["logIn"]["accessToken"]
        .as_str()
        .expect("token")
        .to_owned();
    const EVERYWHERE: &str = "mutation($input: LogOutEverywhereInput!) { logOutEverywhere(input: $input) { sessionsEnded } }";

    let kept = app
        .gql_as(
            &phone,
            EVERYWHERE,
            json!({ "input": { "keepThisSession": true } }),
        )
        .await;
    assert_eq!(kept.data()["logOutEverywhere"]["sessionsEnded"], json!(2));
    app.gql_as(&phone, VIEWER_ID, json!({})).await.data();
    for ended in [&ada.access_token, &laptop] {
        assert_eq!(
            app.gql_as(ended, VIEWER_ID, json!({})).await.error_code(),
            "UNAUTHENTICATED"
        );
    }

    let all = app.gql_as(&phone, EVERYWHERE, json!({ "input": {} })).await;
    assert_eq!(all.data()["logOutEverywhere"]["sessionsEnded"], json!(1));
    assert_eq!(
        app.gql_as(&phone, VIEWER_ID, json!({})).await.error_code(),
        "UNAUTHENTICATED"
    );
    let entries = audit_of(&app, &ada.id).await;
    assert_eq!(
        entries
            .iter()
            .filter(|(action, _)| action == "account.logged_out_everywhere")
            .count(),
        2
    );
    assert_eq!(
        app.gql(EVERYWHERE, json!({ "input": {} }))
            .await
            .error_code(),
        "UNAUTHENTICATED"
    );
}

const UPDATE_ORGANIZATION: &str = "mutation($input: UpdateOrganizationInput!) { updateOrganization(input: $input) { organization { id name websiteUrl logoUrl } } }";

#[tokio::test]
async fn representatives_and_administrators_update_an_organization_nobody_else() {
    let app = TestApp::new().await;
    let ada = a_person(&app, "Ada").await;
    let organization = an_organization(&app, &ada, "CloudCo").await;
    let updated = app
        .gql_as(
            &ada.access_token,
            UPDATE_ORGANIZATION,
            json!({ "input": { "organizationId": organization, "name": "CloudCo GmbH", "logoUrl": "https://cloud.example.com/logo.svg", "websiteUrl": null } }),
        )
        .await;
    assert_eq!(
        updated.data()["updateOrganization"]["organization"],
        json!({ "id": organization, "name": "CloudCo GmbH", "websiteUrl": null, "logoUrl": "https://cloud.example.com/logo.svg" })
    );
    // A field left out keeps its value.
    let renamed = app
        .gql_as(
            &ada.access_token,
            UPDATE_ORGANIZATION,
            json!({ "input": { "organizationId": organization, "name": "CloudCo AG" } }),
        )
        .await;
    assert_eq!(
        renamed.data()["updateOrganization"]["organization"]["logoUrl"],
        json!("https://cloud.example.com/logo.svg")
    );

    let bo = a_person(&app, "Bo").await;
    let stranger = app
        .gql_as(
            &bo.access_token,
            UPDATE_ORGANIZATION,
            json!({ "input": { "organizationId": organization, "name": "Mine now" } }),
        )
        .await;
    assert_eq!(stranger.error_code(), "FORBIDDEN");
    let admin = a_person_with(&app, "Root", Role::Admin).await;
    app.gql_as(
        &admin.access_token,
        UPDATE_ORGANIZATION,
        json!({ "input": { "organizationId": organization, "name": "CloudCo" } }),
    )
    .await
    .data();
    let bad = app
        .gql_as(
            &ada.access_token,
            UPDATE_ORGANIZATION,
            json!({ "input": { "organizationId": organization, "websiteUrl": "ftp://cloud.example.com" } }),
        )
        .await;
    assert_eq!(bad.error_code(), "BAD_USER_INPUT");
    assert_eq!(bad.error_field(), "input.websiteUrl");

    let entries = audit_of(&app, &organization).await;
    let updates: Vec<_> = entries
        .iter()
        .filter(|(action, _)| action == "organization.updated")
        .map(|(_, summary)| summary.clone())
        .collect();
    assert_eq!(
        updates,
        vec![
            json!({ "name": "CloudCo GmbH", "websiteUrl": null, "logoUrl": "https://cloud.example.com/logo.svg" }),
            json!({ "name": "CloudCo AG" }),
            json!({ "name": "CloudCo" }),
        ]
    );
}

const UPDATE_AMENDMENT: &str = "mutation($input: UpdateAmendmentInput!) { updateAmendment(input: $input) { amendment { id status title rationale changes { operation text } } } }";

#[tokio::test]
async fn the_proposer_edits_a_draft_until_it_is_submitted() {
    let app = TestApp::new().await;
    let secretary = a_person_with(&app, "Sami", Role::Secretary).await;
    let committee = a_person_with(&app, "Mia", Role::MembershipCommittee).await;
    let sections = sample_bylaws(&app, &secretary).await;
    let (ada, _) = a_contributor(&app, "Ada", &committee).await;
    let (bo, _) = a_contributor(&app, "Bo", &committee).await;
    let draft = a_draft_amendment(
        &app,
        &ada,
        json!([{ "operation": "REPLACE", "sectionId": sections[1], "text": "First try." }]),
    )
    .await;

    let edited = app
        .gql_as(
            &ada.access_token,
            UPDATE_AMENDMENT,
            json!({ "input": { "amendmentId": draft, "title": "Say who it is for",
                "changes": [{ "operation": "REPLACE", "sectionId": sections[1], "text": "The foundation builds an operating system for everyone." }] } }),
        )
        .await;
    let amendment = &edited.data()["updateAmendment"]["amendment"];
    assert_eq!(amendment["title"], json!("Say who it is for"));
    assert_eq!(amendment["rationale"], json!("The members asked for it."));
    assert_eq!(
        amendment["changes"],
        json!([{ "operation": "REPLACE", "text": "The foundation builds an operating system for everyone." }])
    );

    // Changes are checked as at proposal.
    let unknown_section = app
        .gql_as(
            &ada.access_token,
            UPDATE_AMENDMENT,
            json!({ "input": { "amendmentId": draft, "changes": [{ "operation": "REPLACE", "sectionId": draft, "text": "x" }] } }),
        )
        .await;
    assert_eq!(unknown_section.error_code(), "BAD_USER_INPUT");
    assert_eq!(unknown_section.error_field(), "input.changes[0].sectionId");
    let empty = app
        .gql_as(
            &ada.access_token,
            UPDATE_AMENDMENT,
            json!({ "input": { "amendmentId": draft, "changes": [] } }),
        )
        .await;
    assert_eq!(empty.error_field(), "input.changes");

    // Another member cannot see the draft; the secretary sees it but may not edit it.
    let other = app
        .gql_as(
            &bo.access_token,
            UPDATE_AMENDMENT,
            json!({ "input": { "amendmentId": draft, "title": "Hijacked" } }),
        )
        .await;
    assert_eq!(other.error_code(), "NOT_FOUND");
    let secretary_edit = app
        .gql_as(
            &secretary.access_token,
            UPDATE_AMENDMENT,
            json!({ "input": { "amendmentId": draft, "title": "Hijacked" } }),
        )
        .await;
    assert_eq!(secretary_edit.error_code(), "FORBIDDEN");

    submit_amendment(&app, &ada, &draft).await;
    let too_late = app
        .gql_as(
            &ada.access_token,
            UPDATE_AMENDMENT,
            json!({ "input": { "amendmentId": draft, "title": "Too late" } }),
        )
        .await;
    assert_eq!(too_late.error_code(), "CONFLICT");

    let entries = audit_of(&app, &draft).await;
    let edits: Vec<_> = entries
        .iter()
        .filter(|(action, _)| action == "amendment.edited")
        .map(|(_, summary)| summary.clone())
        .collect();
    assert_eq!(
        edits,
        vec![json!({ "title": "Say who it is for", "changes": 1, "baseVersion": 1 })]
    );
}

const MY_VOTE: &str = "query($id: ID!) { amendment(id: $id) { myVote { choice membership { id } } viewerCanVote viewerVotingMemberships { id } } }";

#[tokio::test]
async fn a_member_sees_whether_they_may_vote_and_how_they_voted() {
    let app = TestApp::new().await;
    let secretary = a_person_with(&app, "Sami", Role::Secretary).await;
    let admin = a_person_with(&app, "Root", Role::Admin).await;
    let committee = a_person_with(&app, "Mia", Role::MembershipCommittee).await;
    let sections = sample_bylaws(&app, &secretary).await;
    no_waiting(&app, &admin).await;
    let (ada, membership) = a_contributor(&app, "Ada", &committee).await;
    let amendment = a_proposed_amendment(&app, &ada, &sections[1], "For everyone.").await;

    // Before voting opens nobody may vote.
    let proposed = app
        .gql_as(&ada.access_token, MY_VOTE, json!({ "id": amendment }))
        .await;
    assert_eq!(
        proposed.data()["amendment"],
        json!({ "myVote": null, "viewerCanVote": false, "viewerVotingMemberships": [] })
    );

    open_vote(&app, &secretary, &amendment, "MEMBERS")
        .await
        .data();
    // Bo joined after the roll froze.
    let (bo, _) = a_contributor(&app, "Bo", &committee).await;
    let before = app
        .gql_as(&ada.access_token, MY_VOTE, json!({ "id": amendment }))
        .await;
    assert_eq!(
        before.data()["amendment"],
        json!({ "myVote": null, "viewerCanVote": true, "viewerVotingMemberships": [{ "id": membership }] })
    );
    vote(&app, &ada, &amendment, "YES", None).await.data();
    vote(&app, &ada, &amendment, "NO", None).await.data();
    let after = app
        .gql_as(&ada.access_token, MY_VOTE, json!({ "id": amendment }))
        .await;
    assert_eq!(
        after.data()["amendment"]["myVote"],
        json!({ "choice": "NO", "membership": { "id": membership } })
    );

    let late = app
        .gql_as(&bo.access_token, MY_VOTE, json!({ "id": amendment }))
        .await;
    assert_eq!(
        late.data()["amendment"],
        json!({ "myVote": null, "viewerCanVote": false, "viewerVotingMemberships": [] })
    );
    let anonymous = app.gql(MY_VOTE, json!({ "id": amendment })).await;
    assert_eq!(
        anonymous.data()["amendment"],
        json!({ "myVote": null, "viewerCanVote": false, "viewerVotingMemberships": [] })
    );
}

#[tokio::test]
async fn a_list_of_amendments_reads_the_viewer_s_votes_in_the_same_statements_for_one_or_three() {
    let app = TestApp::new().await;
    let secretary = a_person_with(&app, "Sami", Role::Secretary).await;
    let admin = a_person_with(&app, "Root", Role::Admin).await;
    let committee = a_person_with(&app, "Mia", Role::MembershipCommittee).await;
    let sections = sample_bylaws(&app, &secretary).await;
    no_waiting(&app, &admin).await;
    let (ada, _) = a_contributor(&app, "Ada", &committee).await;
    const LIST: &str = "{ amendments(status: VOTING) { nodes { myVote { choice membership { id } } viewerCanVote viewerVotingMemberships { id class { key } } } } }";
    let mut counts = Vec::new();
    for (round, section) in sections.iter().enumerate() {
        let amendment = a_proposed_amendment(&app, &ada, section, &format!("Text {round}.")).await;
        open_vote(&app, &secretary, &amendment, "MEMBERS")
            .await
            .data();
        vote(&app, &ada, &amendment, "YES", None).await.data();
        app.reset_statement_count();
        let list = app.gql_as(&ada.access_token, LIST, json!({})).await;
        let nodes = list.data()["amendments"]["nodes"]
            .as_array()
            .expect("nodes")
            .clone();
        assert_eq!(nodes.len(), round + 1);
        assert!(nodes.iter().all(|n| n["viewerCanVote"] == json!(true)
            && n["myVote"]["choice"] == json!("YES")));
        counts.push(app.statement_count());
    }
    assert_eq!(counts[0], counts[2], "statements for 1 and 3 amendments");
}
