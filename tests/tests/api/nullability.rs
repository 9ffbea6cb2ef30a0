//! Nulls as the GraphQL spec means them: a field refused to the viewer is null beside the rest
//! of the page, and a failure in a non-null field makes its nearest nullable parent null.

use serde_json::{Value, json};
use tests::TestApp;

const ROOT_FIELDS: &str = "{ __schema { queryType { fields {
  name
  type { kind name ofType { kind name } }
  args { name type { kind name ofType { kind name ofType { kind name } } } }
} } } }";

/// A value for a required argument of type `name`, good enough to reach the field's
/// authorization check.
fn argument(name: &str) -> Option<&'static str> {
    Some(match name {
        "ID" => "\"QWNjb3VudDowMTkzMDAwMC0wMDAwLTcwMDAtODAwMC0wMDAwMDAwMDAwMDA\"",
        "String" => "\"someone@example.org\"",
        "Int" => "1",
        "Boolean" => "true",
        _ => return None,
    })
}

/// The named type under any list and non-null wrappers.
fn named(ty: &Value) -> &str {
    let mut ty = ty;
    while ty["name"].is_null() && !ty["ofType"].is_null() {
        ty = &ty["ofType"];
    }
    ty["name"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn every_root_field_an_anonymous_caller_may_not_read_is_null_beside_the_rest() {
    let app = TestApp::new().await;
    let fields = app.gql(ROOT_FIELDS, json!({})).await;
    let fields = fields.data()["__schema"]["queryType"]["fields"]
        .as_array()
        .expect("the root fields")
        .clone();
    let scalars = ["ID", "String", "Int", "Boolean", "Date", "DateTime", "JSON"];
    let mut refused = Vec::new();
    let mut blanked = Vec::new();
    for field in &fields {
        let name = field["name"].as_str().expect("a name");
        let mut arguments = Vec::new();
        for arg in field["args"].as_array().expect("args") {
            if arg["type"]["kind"] != "NON_NULL" {
                continue;
            }
            let Some(value) = argument(named(&arg["type"])) else {
                panic!("{name}: no sample for a required {}", arg["type"]);
            };
            arguments.push(format!(
                "{}: {value}",
                arg["name"].as_str().expect("a name")
            ));
        }
        let arguments = if arguments.is_empty() {
            String::new()
        } else {
            format!("({})", arguments.join(", "))
        };
        let selection = if scalars.contains(&named(&field["type"])) {
            ""
        } else {
            "{ __typename }"
        };
        // Beside a field everyone may read, so that a refusal shows as one null, not a blank page.
        let query = format!("{{ membershipClasses {{ key }} {name}{arguments} {selection} }}");
        let response = app.gql(&query, json!({})).await;
        let codes: Vec<&str> = response.body["errors"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["extensions"]["code"].as_str())
            .collect();
        let refusal = codes
            .iter()
            .any(|c| ["FORBIDDEN", "UNAUTHENTICATED"].contains(c));
        if response.body["data"].is_null() {
            // A non-null field failing for another reason (a sample argument naming nothing, as
            // `bylawsDiff(from: 1)` on an empty database) nulls the page, as the spec says.
            if refusal {
                blanked.push(format!("{name}: {}", response.body["errors"]));
            }
            continue;
        }
        assert!(
            response.body["data"]["membershipClasses"].is_array(),
            "{name}: {}",
            response.body
        );
        let data = &response.body["data"];
        assert!(
            data.get(name).is_some(),
            "{name}: the key is missing: {}",
            response.body
        );
        if refusal {
            assert_ne!(
                field["type"]["kind"], "NON_NULL",
                "{name} is refused yet non-null"
            );
            assert_eq!(data[name], Value::Null, "{name}: {}", response.body);
            refused.push(name.to_owned());
        }
    }
    assert!(
        blanked.is_empty(),
        "the whole page went blank: {blanked:#?}"
    );
    // The committees' and administrators' lists are among those refused.
    for name in [
        "applications",
        "sponsorships",
        "auditEvents",
        "webhookEndpoints",
    ] {
        assert!(
            refused.iter().any(|r| r == name),
            "{name} was not refused: {refused:?}"
        );
    }
}

#[tokio::test]
async fn the_public_list_survives_beside_a_list_the_caller_may_not_read() {
    let app = TestApp::new().await;
    let response = app
        .gql(
            "{ sponsors(first: 1) { totalCount } applications(first: 1) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(
        response.body["data"],
        json!({ "sponsors": { "totalCount": 0 }, "applications": null })
    );
    assert_eq!(response.body["errors"][0]["path"], json!(["applications"]));
    assert_eq!(response.error_code(), "UNAUTHENTICATED");
}
