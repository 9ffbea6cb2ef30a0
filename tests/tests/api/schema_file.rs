//! The committed `schema.graphql` is the schema served, and every part of it is described.

use serde_json::{Value, json};
use tests::TestApp;

#[test]
fn the_committed_schema_matches_the_served_one() {
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../schema.graphql"))
            .expect("schema.graphql at the repository root");
    let served = api::schema::sdl();
    assert!(
        committed == served,
        "schema.graphql is out of date: run `cargo run -- schema > schema.graphql` and commit it"
    );
}

const SPEC_SCALARS: [&str; 5] = ["ID", "String", "Int", "Float", "Boolean"];

const INTROSPECTION: &str = r#"{
  __schema {
    types {
      name kind description
      fields(includeDeprecated: true) { name description args { name description } }
      inputFields { name description }
      enumValues(includeDeprecated: true) { name description }
    }
  }
}"#;

#[tokio::test]
async fn every_type_field_argument_and_value_is_described() {
    let app = TestApp::new().await;
    let response = app.gql(INTROSPECTION, json!({})).await;
    let described = |item: &Value| {
        item["description"]
            .as_str()
            .is_some_and(|d| !d.trim().is_empty())
    };
    let mut missing = Vec::new();
    for ty in response.data()["__schema"]["types"]
        .as_array()
        .expect("types")
    {
        let name = ty["name"].as_str().unwrap_or_default();
        // Introspection types and the scalars the GraphQL specification defines are described
        // by the specification itself.
        if name.starts_with("__") || SPEC_SCALARS.contains(&name) {
            continue;
        }
        if !described(ty) {
            missing.push(name.to_owned());
        }
        for field in ty["fields"].as_array().into_iter().flatten() {
            let field_name = field["name"].as_str().unwrap_or_default();
            if !described(field) {
                missing.push(format!("{name}.{field_name}"));
            }
            for arg in field["args"].as_array().into_iter().flatten() {
                if !described(arg) {
                    missing.push(format!("{name}.{field_name}({})", arg["name"]));
                }
            }
        }
        for list in ["inputFields", "enumValues"] {
            for item in ty[list].as_array().into_iter().flatten() {
                if !described(item) {
                    missing.push(format!("{name}.{}", item["name"]));
                }
            }
        }
    }
    assert!(missing.is_empty(), "undescribed: {missing:#?}");
}
