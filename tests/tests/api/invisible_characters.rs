//! Names people read hold something visible and nothing that hides or reorders text; texts hold
//! nothing that reorders them.

use api::auth::Role;
use serde_json::json;
use tests::{
    TestApp,
    factories::{a_person, a_person_with},
};

/// The characters an attack pass put into names: each alone, or after a real name.
const INVISIBLE: [&str; 19] = [
    "\u{2060}",           // word joiner: alone it makes a blank name
    "\u{200E}",           // left-to-right mark
    "\u{200F}",           // right-to-left mark
    "\u{061C}",           // Arabic letter mark
    "\u{E0041}\u{E0064}", // tag characters
    "\u{2028}",           // line separator
    "\u{2029}",           // paragraph separator
    "\u{3164}",           // Hangul filler
    "\u{115F}",           // Hangul choseong filler
    "\u{FFA0}",           // halfwidth Hangul filler
    "\u{00AD}",           // soft hyphen
    "\u{034F}",           // combining grapheme joiner
    "\u{180E}",           // Mongolian vowel separator
    "\u{FE0F}",           // variation selector
    "\u{200B}",           // zero-width space
    "\u{200D}",           // zero-width joiner
    "\u{FEFF}",           // byte order mark
    "\u{202E}",           // right-to-left override
    "\u{2066}",           // left-to-right isolate
];

#[tokio::test]
async fn no_name_a_person_types_may_hide_or_reorder_characters_or_be_blank() {
    let app = TestApp::new().await;
    let treasurer = a_person_with(&app, "Tess", Role::Treasurer).await;
    let ada = a_person(&app, "Ada").await;
    for (i, hidden) in INVISIBLE.iter().enumerate() {
        for name in [hidden.to_string(), format!("Ada{hidden}Lovelace")] {
            let sign_up = app
                .gql(
                    "mutation($input: SignUpInput!) { signUp(input: $input) { accessToken } }",
                    json!({ "input": { "email": format!("x{i}@example.org"), "password": "correct horse battery staple", "displayName": name } }),
                )
                .await;
            assert_eq!(sign_up.error_code(), "BAD_USER_INPUT", "{name:?}");
            assert_eq!(sign_up.error_field(), "input.displayName", "{name:?}");
            let renamed = app
                .gql_as(
                    &ada.access_token,
                    "mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { account { displayName } } }",
                    json!({ "input": { "displayName": name } }),
                )
                .await;
            assert_eq!(renamed.error_field(), "input.displayName", "{name:?}");
            let organization = app
                .gql_as(
                    &ada.access_token,
                    "mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { organization { id } } }",
                    json!({ "input": { "name": name } }),
                )
                .await;
            assert_eq!(organization.error_field(), "input.name", "{name:?}");
            let tier = app
                .gql_as(
                    &treasurer.access_token,
                    "mutation($input: CreateSponsorTierInput!) { createSponsorTier(input: $input) { tier { id } } }",
                    json!({ "input": { "name": name, "rank": 5, "minimumYearlyMinor": "50000", "currency": "USD", "voteWeight": 2, "benefits": [] } }),
                )
                .await;
            assert_eq!(tier.error_field(), "input.name", "{name:?}");
            let token = app
                .gql_as(
                    &ada.access_token,
                    "mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token } }",
                    json!({ "input": { "name": name, "scopes": ["SPONSORS_READ"] } }),
                )
                .await;
            assert_eq!(token.error_field(), "input.name", "{name:?}");
        }
    }
    // Names in any script, with accents and emoji, pass.
    for name in ["Zeynep Aydın", "אדה לאבלייס", "محمد", "李小龍", "José ❤"] {
        let renamed = app
            .gql_as(
                &ada.access_token,
                "mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { account { displayName } } }",
                json!({ "input": { "displayName": name } }),
            )
            .await;
        assert_eq!(
            renamed.data()["updateProfile"]["account"]["displayName"],
            json!(name)
        );
    }
}

#[tokio::test]
async fn titles_and_comments_may_not_reverse_their_text() {
    let app = TestApp::new().await;
    let committee = a_person_with(&app, "Elena", Role::ElectionCommittee).await;
    let now = chrono::Utc::now();
    let create = |title: &str| {
        json!({ "input": {
            "title": title,
            "kind": "GENERAL",
            "seats": 1,
            "nominationsCloseAt": (now + chrono::Duration::days(2)).to_rfc3339(),
            "votingOpensAt": (now + chrono::Duration::days(12)).to_rfc3339(),
            "votingClosesAt": (now + chrono::Duration::days(30)).to_rfc3339(),
        } })
    };
    const CREATE: &str = "mutation($input: CreateElectionInput!) { createElection(input: $input) { election { id } } }";
    let election = app
        .gql_as(
            &committee.access_token,
            CREATE,
            create("Board election \u{202E}2027"),
        )
        .await;
    assert_eq!(election.error_code(), "BAD_USER_INPUT");
    assert_eq!(election.error_field(), "input.title");
    app.gql_as(
        &committee.access_token,
        CREATE,
        create("Board election 2027"),
    )
    .await
    .data();

    let secretary = a_person_with(&app, "Sam", Role::Secretary).await;
    let committee = a_person_with(&app, "Mia", Role::MembershipCommittee).await;
    let (member, _) = tests::factories::a_contributor(&app, "Ada", &committee).await;
    let sections = tests::factories::sample_bylaws(&app, &secretary).await;
    let amendment =
        tests::factories::a_proposed_amendment(&app, &member, &sections[0], "New text.").await;
    let comment = app
        .gql_as(
            &member.access_token,
            "mutation($id: ID!, $body: String!) { commentOnAmendment(input: { amendmentId: $id, body: $body }) { comment { id } } }",
            json!({ "id": amendment, "body": "I vote \u{202E}ON\u{202C} this" }),
        )
        .await;
    assert_eq!(comment.error_field(), "input.body");
    // A right-to-left mark is punctuation in mixed-direction text, and stays allowed.
    app.gql_as(
        &member.access_token,
        "mutation($id: ID!, $body: String!) { commentOnAmendment(input: { amendmentId: $id, body: $body }) { comment { id } } }",
        json!({ "id": amendment, "body": "שלום\u{200F}!" }),
    )
    .await
    .data();
}
