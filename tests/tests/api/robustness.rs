//! Whatever a client sends, the server answers with a client error, never a fault of its own:
//! random and mangled documents, variables and operation names never give a 5xx or an
//! `INTERNAL_SERVER_ERROR`.

use rand::{Rng, SeedableRng, rngs::StdRng, seq::SliceRandom};
use serde_json::{Value, json};
use tests::{Gql, TestApp, factories::a_person};

/// Real operations of the schema, the seeds that get mangled.
const SEEDS: &[&str] = &[
    "{ __typename }",
    "query Wall { sponsors(first: 5) { totalCount nodes { displayName since tier { name } } } }",
    "query Dir($n: Int) { memberships(first: $n) { nodes { id status class { key } } } }",
    "query Viewer { viewer { id displayName email roles } }",
    "query One($id: ID!) { node(id: $id) { id ... on Account { displayName } } }",
    "query Bylaws { bylaws { current { number articles { number sections { id text } } } } }",
    "mutation Up($input: SignUpInput!) { signUp(input: $input) { accessToken account { id } } }",
    "mutation Org($input: CreateOrganizationInput!) { createOrganization(input: $input) { organization { id } } }",
    "query A { sponsorTiers { name } } query B { membershipClasses { key } }",
    "query Amend($id: ID!) { amendment(id: $id) { status diff tally { yes no } } }",
    "mutation Apply($input: ApplyForMembershipInput!) { applyForMembership(input: $input) { application { id status } } }",
    "fragment F on Query { __typename } query Q { ...F }",
    "subscription T($amendmentId: ID!) { amendmentTally(amendmentId: $amendmentId) { yes } }",
];

/// Tokens that steer a mangled document into odd corners of the parser and validator.
const TOKENS: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    ":",
    "$",
    "!",
    "...",
    "@skip(if: true)",
    "@include",
    "on",
    "query",
    "mutation",
    "subscription",
    "fragment",
    "\"",
    "\"\"\"",
    "#",
    ",",
    "=",
    "|",
    "&",
    "__schema",
    "__type(name: \"Query\")",
    "node",
    "id",
    "first: -1",
    "first: 101",
    "first: 2147483648",
    "after: \"x\"",
    "before: \"\"",
    "1e400",
    "-0",
    "null",
    "true",
    "\u{0}",
    "\u{202e}",
    "é",
    "😀",
    "\\u0000",
    "\n",
    "\t",
];

fn mangle(rng: &mut StdRng, seed: &str) -> String {
    let mut text: Vec<char> = seed.chars().collect();
    for _ in 0..rng.gen_range(1..6) {
        match rng.gen_range(0..4) {
            0 if !text.is_empty() => {
                let at = rng.gen_range(0..text.len());
                let end = (at + rng.gen_range(1..8)).min(text.len());
                text.drain(at..end);
            }
            1 => {
                let at = rng.gen_range(0..=text.len());
                let token = TOKENS.choose(rng).copied().unwrap_or("{");
                for (i, c) in token.chars().enumerate() {
                    text.insert(at + i, c);
                }
            }
            2 if text.len() > 1 => {
                let (a, b) = (rng.gen_range(0..text.len()), rng.gen_range(0..text.len()));
                text.swap(a, b);
            }
            _ => {
                let at = rng.gen_range(0..=text.len());
                text.insert(at, char::from(rng.gen_range(0x20u8..0x7f)));
            }
        }
    }
    text.into_iter().collect()
}

fn random_value(rng: &mut StdRng, depth: u32) -> Value {
    match rng.gen_range(0..if depth > 2 { 6 } else { 8 }) {
        0 => Value::Null,
        1 => json!(rng.r#gen::<bool>()),
        2 => json!(rng.r#gen::<i64>()),
        3 => json!(rng.r#gen::<f64>() * 1e300),
        4 => json!(
            [
                "",
                "x",
                "VXNlcjox",
                "2026-02-30",
                "9999-12-31T23:59:60Z",
                "\u{0}"
            ]
            .choose(rng)
            .copied()
            .unwrap_or("")
        ),
        5 => json!("a".repeat(rng.gen_range(0..3000))),
        6 => Value::Array(
            (0..rng.gen_range(0..4))
                .map(|_| random_value(rng, depth + 1))
                .collect(),
        ),
        _ => {
            let keys = [
                "input",
                "id",
                "n",
                "email",
                "password",
                "class",
                "first",
                "name",
                "amendmentId",
            ];
            Value::Object(
                (0..rng.gen_range(0..5))
                    .map(|_| {
                        let key = keys.choose(rng).copied().unwrap_or("x").to_owned();
                        (key, random_value(rng, depth + 1))
                    })
                    .collect(),
            )
        }
    }
}

fn operation_name(rng: &mut StdRng) -> Value {
    match rng.gen_range(0..6) {
        0 => Value::Null,
        1 => json!(""),
        2 => json!("Nope"),
        3 => json!(
            ["Wall", "Dir", "Viewer", "A", "B", "Q", "Up"]
                .choose(rng)
                .copied()
                .unwrap_or("A")
        ),
        4 => json!(rng.r#gen::<i32>()),
        _ => json!("x".repeat(rng.gen_range(1..500))),
    }
}

fn assert_no_fault(response: &Gql, sent: &Value) {
    assert!(
        !response.status.is_server_error(),
        "{} for {sent:#}: {:#}",
        response.status,
        response.body
    );
    for error in response.body["errors"].as_array().into_iter().flatten() {
        assert_ne!(
            error["extensions"]["code"],
            json!("INTERNAL_SERVER_ERROR"),
            "an internal error for {sent:#}: {:#}",
            response.body
        );
    }
}

#[tokio::test]
async fn random_and_mangled_requests_never_fault_the_server() {
    let app = TestApp::new().await;
    let ada = a_person(&app, "Ada").await;
    let mut rng = StdRng::seed_from_u64(0x0005_eed0_fa11);
    for case in 0..600 {
        let seed = SEEDS.choose(&mut rng).copied().unwrap_or("{ __typename }");
        let query = match case % 4 {
            0 => seed.to_owned(),
            _ => mangle(&mut rng, seed),
        };
        let mut body = json!({ "query": query });
        if rng.gen_bool(0.7) {
            body["variables"] = random_value(&mut rng, 0);
        }
        if rng.gen_bool(0.5) {
            body["operationName"] = operation_name(&mut rng);
        }
        let mut request = app
            .client
            .post("/graphql")
            .content_type("application/json")
            .body_json(&body);
        if case % 3 == 0 {
            request = request.header("authorization", format!("Bearer {}", ada.access_token));
        }
        if case % 5 == 0 {
            request = request.header("accept", "application/graphql-response+json");
        }
        let response = Gql::read(request.send().await).await;
        assert_no_fault(&response, &body);

        let get = app.client.get("/graphql").query("query", &query);
        let get = match body["operationName"].as_str() {
            Some(name) => get.query("operationName", &name),
            None => get,
        };
        let response = Gql::read(get.header("accept", "application/json").send().await).await;
        assert_no_fault(&response, &body);
    }
}

#[tokio::test]
async fn choosing_no_operation_or_an_unknown_one_is_a_request_error() {
    let app = TestApp::new().await;
    for body in [
        json!({ "query": "query A { __typename } query B { __typename }" }),
        json!({ "query": "query A { __typename }", "operationName": "B" }),
    ] {
        let response = Gql::read(
            app.client
                .post("/graphql")
                .content_type("application/json")
                .body_json(&body)
                .send()
                .await,
        )
        .await;
        assert_eq!(
            response.status,
            poem::http::StatusCode::BAD_REQUEST,
            "{body}"
        );
        assert_eq!(response.error_code(), "GRAPHQL_VALIDATION_FAILED");
    }
}
