//! Error codes: validation failures are named, internal faults are masked.

use serde_json::json;
use tests::{TestApp, factories::an_account};

#[tokio::test]
async fn an_invalid_query_carries_graphql_validation_failed() {
    let app = TestApp::new().await;
    let response = app.gql("{ nope }", json!({})).await;
    assert_eq!(response.error_code(), "GRAPHQL_VALIDATION_FAILED");
    let response = app.gql("{ unclosed", json!({})).await;
    assert_eq!(response.error_code(), "GRAPHQL_PARSE_FAILED");
}

/// Sends `body` with `accept`, and reads the answer.
async fn post(app: &TestApp, accept: &str, body: serde_json::Value) -> tests::Gql {
    tests::Gql::read(
        app.client
            .post("/graphql")
            .content_type("application/json")
            .header("accept", accept)
            .body_json(&body)
            .send()
            .await,
    )
    .await
}

const MEDIA_TYPES: [&str; 2] = ["application/json", "application/graphql-response+json"];

#[tokio::test]
async fn a_syntax_error_is_one_sentence_with_its_line_and_column() {
    let app = TestApp::new().await;
    for accept in MEDIA_TYPES {
        let response = post(&app, accept, json!({ "query": "{ viewer { id } " })).await;
        let errors = response.errors();
        assert_eq!(errors.len(), 1, "{}", response.body);
        assert_eq!(
            errors[0]["message"],
            "Syntax error at line 1, column 17: expected a field, or `}` after at least one."
        );
        assert_eq!(errors[0]["locations"], json!([{ "line": 1, "column": 17 }]));
        assert_eq!(errors[0]["extensions"]["code"], "GRAPHQL_PARSE_FAILED");
        assert!(!errors[0]["message"].as_str().expect("text").contains('\n'));
    }
    let response = app.gql("query {\n  viewer { id }}\n}", json!({})).await;
    assert_eq!(
        response.error_message(),
        "Syntax error at line 3, column 1: expected the end of the document or another operation or fragment."
    );
}

#[tokio::test]
async fn one_mistake_is_one_error() {
    let app = TestApp::new().await;
    // A misspelt variable: once, at the use, naming the declared one.
    let typo = app
        .gql(
            "query($id: ID!) { node(id: $idd) { id } }",
            json!({ "id": "x" }),
        )
        .await;
    assert_eq!(typo.errors().len(), 1, "{}", typo.body);
    assert_eq!(
        typo.error_message(),
        "Variable \"$idd\" is not defined; did you mean \"$id\", which the operation declares but never uses?"
    );
    let undefined = app.gql("{ node(id: $y) { id } }", json!({})).await;
    assert_eq!(undefined.errors().len(), 1, "{}", undefined.body);
    // A value of the wrong kind: BAD_USER_INPUT naming the argument, and nothing more.
    for (query, variables) in [
        ("{ sponsors(first: \"x\") { totalCount } }", json!({})),
        (
            "query($f: Int) { sponsors(first: $f) { totalCount } }",
            json!({ "f": "x" }),
        ),
    ] {
        let wrong = app.gql(query, variables).await;
        assert_eq!(wrong.errors().len(), 1, "{}", wrong.body);
        assert_eq!(wrong.error_code(), "BAD_USER_INPUT");
        assert_eq!(wrong.error_field(), "first");
    }
    // Two mistakes are still two errors.
    let two = app
        .gql(
            "{ sponsors(first: \"x\", last: \"y\") { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(two.errors().len(), 2, "{}", two.body);
}

#[tokio::test]
async fn both_media_types_follow_one_status_rule_for_requests_that_cannot_run() {
    let app = TestApp::new().await;
    let unknown = json!({ "query": "query A { __typename }", "operationName": "B" });
    let several = json!({ "query": "query A { __typename } query B { __typename }" });
    let subscription =
        json!({ "query": "subscription { amendmentTally(amendmentId: \"x\") { yes } }" });
    for accept in MEDIA_TYPES {
        for body in [&unknown, &several, &subscription] {
            let response = post(&app, accept, body.clone()).await;
            assert_eq!(
                response.status,
                poem::http::StatusCode::BAD_REQUEST,
                "{accept} {body}"
            );
            assert_eq!(response.error_code(), "GRAPHQL_VALIDATION_FAILED");
        }
        // A document that does not parse or validate: 400 with the new media type, and 200
        // with application/json, as the GraphQL-over-HTTP spec asks of each.
        let invalid = post(&app, accept, json!({ "query": "{ nope }" })).await;
        let expected = if accept == "application/json" {
            poem::http::StatusCode::OK
        } else {
            poem::http::StatusCode::BAD_REQUEST
        };
        assert_eq!(invalid.status, expected, "{accept}");
    }
    // With the new media type, a request that could not run has no `data` at all.
    let response = post(&app, "application/graphql-response+json", unknown).await;
    assert!(response.body.get("data").is_none(), "{}", response.body);
}

#[tokio::test]
async fn a_malformed_id_is_bad_user_input_naming_the_field() {
    let app = TestApp::new().await;
    let response = app
        .gql(
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": "garbage" }),
        )
        .await;
    assert_eq!(response.error_code(), "BAD_USER_INPUT");
    assert_eq!(response.error_field(), "id");
}

#[tokio::test]
async fn a_node_is_found_by_its_global_id() {
    let app = TestApp::new().await;
    let ada = an_account().named("Ada").create(&app).await;
    let id = api::ids::id_of::<api::accounts::types::Account>(ada.id);
    let response = app
        .gql(
            "query($id: ID!) { node(id: $id) { id ... on Account { displayName } } }",
            json!({ "id": id.to_string() }),
        )
        .await;
    assert_eq!(
        response.data()["node"],
        json!({ "id": id.to_string(), "displayName": "Ada" })
    );
}

#[tokio::test]
async fn an_internal_error_is_masked_for_the_client() {
    let app = TestApp::new().await;
    let ada = an_account().create(&app).await;
    let id = api::ids::id_of::<api::accounts::types::Account>(ada.id);
    // The database loses a table under the running server.
    app.sql("ALTER TABLE accounts RENAME TO accounts_gone")
        .await;
    let response = app
        .gql(
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": id.to_string() }),
        )
        .await;
    assert_eq!(response.error_code(), "INTERNAL_SERVER_ERROR");
    assert_eq!(response.error_message(), "Internal server error.");
    let text = response.body.to_string().to_lowercase();
    assert!(
        !text.contains("accounts")
            && !text.contains("relation")
            && !text.contains("table")
            && !text.contains("sql")
    );
}

#[tokio::test]
async fn names_with_hidden_characters_and_text_with_control_characters_are_refused() {
    let app = TestApp::new().await;
    const SIGN_UP: &str =
        "mutation($input: SignUpInput!) { signUp(input: $input) { account { displayName } } }";
    // A name that reads "Admin" but hides a right-to-left override, or a zero-width space.
    for name in ["nimdA\u{202E}", "Ad\u{200B}min", "\u{2066}Ada\u{2069}"] {
        let response = app
            .gql(
                SIGN_UP,
                json!({ "input": { "email": "spoof@example.org", "password": "correct horse battery", "displayName": name } }),
            )
            .await;
        assert_eq!(response.error_code(), "BAD_USER_INPUT", "{name:?}");
        assert_eq!(response.error_field(), "input.displayName");
    }

    let ada = tests::factories::a_person(&app, "Ada").await;
    const ORGANIZATION: &str = "mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { organization { name } } }";
    let response = app
        .gql_as(
            &ada.access_token,
            ORGANIZATION,
            json!({ "input": { "name": "Acme\u{FEFF}" } }),
        )
        .await;
    assert_eq!(response.error_field(), "input.name");

    // Statements keep their newlines and tabs; NUL and ESC are refused.
    const APPLY: &str = "mutation($input: ApplyForMembershipInput!) { applyForMembership(input: $input) { application { statement } } }";
    let refused = app
        .gql_as(
            &ada.access_token,
            APPLY,
            json!({ "input": { "class": "CONTRIBUTOR", "statement": "I help\u{1b}[2J in the forums\u{0}" } }),
        )
        .await;
    assert_eq!(refused.error_code(), "BAD_USER_INPUT");
    assert_eq!(refused.error_field(), "input.statement");
    let kept = app
        .gql_as(
            &ada.access_token,
            APPLY,
            json!({ "input": { "class": "CONTRIBUTOR", "statement": "I help in the forums.\r\n\tAnd I translate." } }),
        )
        .await;
    assert_eq!(
        kept.data()["applyForMembership"]["application"]["statement"],
        "I help in the forums.\n\tAnd I translate."
    );
}

#[tokio::test]
async fn a_malformed_date_or_date_time_is_bad_user_input_naming_the_field() {
    let app = TestApp::new().await;
    let ada = tests::factories::a_person(&app, "Ada").await;
    let open = "mutation($input: OpenVoteInput!) { openAmendmentVote(input: $input) { amendment { id } } }";
    let cases = [
        (
            open,
            json!({ "input": { "amendmentId": "x", "body": "MEMBERS", "closesAt": "next tuesday" } }),
            "input.closesAt",
        ),
        (
            "mutation { openAmendmentVote(input: { amendmentId: \"x\", body: MEMBERS, closesAt: \"soon\" }) { amendment { id } } }",
            json!({}),
            "input.closesAt",
        ),
        (
            "query($since: DateTime) { sponsorActivities(since: $since) { totalCount } }",
            json!({ "since": "2026-13-45T00:00:00Z" }),
            "since",
        ),
        (
            "mutation($input: RecordSponsorshipInput!) { recordSponsorship(input: $input) { sponsorship { id } } }",
            json!({ "input": { "organizationId": "x", "tierId": "y", "amountMinor": "1", "currency": "USD", "startsOn": "2026-01-01", "endsOn": "2026-02-30", "idempotencyKey": "k" } }),
            "input.endsOn",
        ),
    ];
    for (query, variables, field) in cases {
        let response = app.gql_as(&ada.access_token, query, variables).await;
        assert_eq!(
            response.error_code(),
            "BAD_USER_INPUT",
            "{:#}",
            response.body
        );
        assert_eq!(response.error_field(), field);
        assert!(
            response.errors()[0]["extensions"]["reason"]
                .as_str()
                .is_some_and(|reason| reason.contains("Failed to parse"))
        );
        let message = response.error_message();
        assert!(message.starts_with("This is not a valid date"), "{message}");
    }
}

#[tokio::test]
async fn a_variable_of_the_wrong_kind_is_bad_user_input_naming_the_argument() {
    let app = TestApp::new().await;
    let ada = tests::factories::a_person(&app, "Ada").await;
    let response = app
        .gql_as(
            &ada.access_token,
            "mutation($input: CastVoteInput!) { castAmendmentVote(input: $input) { vote { choice } } }",
            json!({ "input": { "amendmentId": "x", "choice": "MAYBE" } }),
        )
        .await;
    assert_eq!(response.error_code(), "BAD_USER_INPUT");
    assert_eq!(response.error_field(), "input.choice");
    assert!(
        response.errors()[0]["extensions"]["reason"]
            .as_str()
            .is_some_and(|reason| reason.contains("MAYBE"))
    );
}

/// One sentence for a person: a capital first, a full stop last, no code formatting, no field
/// paths and no "a Application".
fn assert_sentence(message: &str) {
    assert!(
        message.chars().next().is_some_and(char::is_uppercase),
        "{message}"
    );
    assert!(message.ends_with('.'), "{message}");
    assert!(!message.contains('`'), "{message}");
    assert!(!message.contains("input."), "{message}");
    assert!(!message.contains(" a A"), "{message}");
}

#[tokio::test]
async fn messages_are_sentences_for_people_and_the_detail_is_in_extensions() {
    let app = TestApp::new().await;
    let ada = tests::factories::a_person(&app, "Ada").await;
    let account = ada.id.clone();
    let cases = [
        (
            "mutation($input: SignUpInput!) { signUp(input: $input) { accessToken } }",
            json!({ "input": { "email": "not an email", "password": "correct horse battery staple", "displayName": "Eve" } }),
            "BAD_USER_INPUT",
        ),
        (
            "mutation($input: WithdrawApplicationInput!) { withdrawApplication(input: $input) { application { id } } }",
            json!({ "input": { "applicationId": account } }),
            "BAD_USER_INPUT",
        ),
        (
            "mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { account { id } } }",
            json!({ "input": { "displayName": "" } }),
            "BAD_USER_INPUT",
        ),
        (
            "{ applications(first: 500) { totalCount } }",
            json!({}),
            "BAD_USER_INPUT",
        ),
        (
            "mutation($input: RoleChangeInput!) { grantRole(input: $input) { account { id } } }",
            json!({ "input": { "accountId": account, "role": "ADMIN" } }),
            "FORBIDDEN",
        ),
    ];
    for (query, variables, code) in cases {
        let response = app.gql_as(&ada.access_token, query, variables).await;
        assert_eq!(response.error_code(), code, "{:#}", response.body);
        assert_sentence(response.error_message());
    }
    // A wrong type of ID says which type it wants, in words.
    let wrong_kind = app
        .gql_as(
            &ada.access_token,
            "mutation($input: WithdrawApplicationInput!) { withdrawApplication(input: $input) { application { id } } }",
            json!({ "input": { "applicationId": account } }),
        )
        .await;
    assert_eq!(wrong_kind.error_field(), "input.applicationId");
    assert_eq!(
        wrong_kind.error_message(),
        "This is not the ID of an application."
    );
}

#[tokio::test]
async fn what_you_may_not_see_is_not_found_and_what_you_may_see_but_not_change_is_forbidden() {
    use api::auth::Role;
    use tests::factories::{a_person, a_person_with, apply_as_contributor, review};
    let app = TestApp::new().await;
    let committee = a_person_with(&app, "Mia", Role::MembershipCommittee).await;
    let technology = a_person_with(&app, "Tom", Role::TechnologyCommittee).await;
    let ada = a_person(&app, "Ada").await;
    let application = apply_as_contributor(&app, &ada).await;

    // Another committee cannot see a Contributor application: it does not exist for them.
    let hidden = review(&app, &technology, &application, "APPROVE", None).await;
    assert_eq!(hidden.error_code(), "NOT_FOUND");
    assert_eq!(
        hidden.errors()[0]["extensions"]["reason"],
        json!("APPLICATION_NOT_FOUND")
    );
    assert_sentence(hidden.error_message());
    // The applicant sees it, but may not decide it.
    let own = review(&app, &ada, &application, "APPROVE", None).await;
    assert_eq!(own.error_code(), "FORBIDDEN");
    assert_sentence(own.error_message());
    // The reviewing committee sees it but may not withdraw it.
    let withdraw = app
        .gql_as(
            &committee.access_token,
            "mutation($id: ID!) { withdrawApplication(input: { applicationId: $id }) { application { id } } }",
            json!({ "id": application }),
        )
        .await;
    assert_eq!(withdraw.error_code(), "FORBIDDEN");
}

/// A variable whose JSON is of the wrong kind for where it is used (a string for an input object
/// or a list of them, a number or a list for a date and time, a string for a whole input) is the
/// client's mistake: `BAD_USER_INPUT` naming the variable, never an internal error (issue 23,
/// item 7).
#[tokio::test]
async fn a_variable_of_the_wrong_json_kind_is_bad_user_input_naming_the_variable() {
    let app = TestApp::new().await;
    let ada = tests::factories::a_person(&app, "Ada").await;
    let members =
        "query($o: MembershipOrder) { memberships(first: 1, orderBy: $o) { totalCount } }";
    let since = "query($since: DateTime) { sponsorActivities(since: $since) { totalCount } }";
    let contribution = "mutation($input: RecordContributionInput!) { recordContribution(input: $input) { contribution { id } } }";
    let cases = [
        (members, json!({ "o": "x" }), "$o"),
        (members, json!({ "o": 5 }), "$o"),
        (members, json!({ "o": ["x"] }), "$o"),
        (since, json!({ "since": 5 }), "$since"),
        (since, json!({ "since": true }), "$since"),
        (
            since,
            json!({ "since": ["2026-01-01T00:00:00Z"] }),
            "$since",
        ),
        (since, json!({ "since": { "a": 1 } }), "$since"),
        (contribution, json!({ "input": "x" }), "$input"),
    ];
    for (query, variables, field) in cases {
        let response = app
            .gql_as(&ada.access_token, query, variables.clone())
            .await;
        assert_eq!(
            response.error_code(),
            "BAD_USER_INPUT",
            "{variables}: {:#}",
            response.body
        );
        assert_eq!(response.error_field(), field, "{variables}");
        let message = response.error_message();
        assert!(message.contains(field), "{variables}: {message}");
        assert_sentence(message);
    }
}

/// In production, with introspection off, a validation error does not name the schema's types
/// (which introspection hides): the message is generic, the code and location stay (issue 23,
/// item 12). Development keeps the engine's words.
#[tokio::test]
async fn validation_errors_name_no_types_in_production() {
    let production = TestApp::production(|_| {}).await;
    let development = TestApp::new().await;
    let cases = [
        "{ viewer }",
        "{ auditEvents(first: 1) }",
        "{ viewer { nope } }",
        "{ sponsors(first: 1) { nodes { displayName tier } } }",
    ];
    for query in cases {
        let response = production.gql(query, json!({})).await;
        assert_eq!(
            response.error_code(),
            "GRAPHQL_VALIDATION_FAILED",
            "{:#}",
            response.body
        );
        let text = response.body["errors"].to_string();
        for named in ["Connection", "Account", "Tier", "of type", "on type"] {
            assert!(!text.contains(named), "{query}: {text}");
        }
        assert!(response.errors()[0]["locations"].is_array(), "{text}");

        let response = development.gql(query, json!({})).await;
        assert_eq!(response.error_code(), "GRAPHQL_VALIDATION_FAILED");
        assert!(
            response.body["errors"].to_string().contains("type"),
            "{:#}",
            response.body
        );
    }
}
