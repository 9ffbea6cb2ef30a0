//! Query limits: depth, complexity, aliases and directives, each refused as QUERY_TOO_COMPLEX;
//! and the standard introspection query, which must pass them.

use serde_json::json;
use tests::TestApp;

/// graphql-js's `getIntrospectionQuery()` with every option on, as GraphiQL and codegen send it.
const INTROSPECTION: &str = include_str!("../../fixtures/introspection-query.graphql");
/// The same with no options, as Apollo and Postman send it.
const INTROSPECTION_DEFAULT: &str =
    include_str!("../../fixtures/introspection-query-default.graphql");

/// `viewer { organizations { representatives { organizations … { id } } } }`, `levels` fields
/// deep: ordinary data, nested as far as a client likes.
fn nested(levels: usize) -> String {
    let mut selection = "id".to_owned();
    for level in (1..levels - 1).rev() {
        let field = if level % 2 == 1 {
            "organizations"
        } else {
            "representatives"
        };
        selection = format!("{field} {{ {selection} }}");
    }
    format!("{{ viewer {{ {selection} }} }}")
}

#[tokio::test]
async fn a_query_deeper_than_the_limit_is_refused() {
    let app = TestApp::new().await;
    app.gql(&nested(10), json!({})).await.data();
    let too_deep = app.gql(&nested(11), json!({})).await;
    assert_eq!(too_deep.error_code(), "QUERY_TOO_COMPLEX");
    assert_eq!(
        too_deep.error_message(),
        "The query is nested 11 levels deep; at most 10 are allowed."
    );
}

#[tokio::test]
async fn the_standard_introspection_query_passes_the_default_limits() {
    let app = TestApp::new().await;
    for query in [INTROSPECTION, INTROSPECTION_DEFAULT] {
        let response = app.gql(query, json!({})).await;
        let schema = &response.data()["__schema"];
        assert_eq!(schema["queryType"]["name"], "Query");
        assert_eq!(schema["mutationType"]["name"], "Mutation");
        assert_eq!(schema["subscriptionType"]["name"], "Subscription");
        let types = schema["types"].as_array().expect("types");
        let query_type = types
            .iter()
            .find(|ty| ty["name"] == "Query")
            .expect("the Query type");
        let fields: Vec<_> = query_type["fields"]
            .as_array()
            .expect("fields")
            .iter()
            .filter_map(|field| field["name"].as_str())
            .collect();
        for field in ["node", "viewer", "sponsors", "membershipClasses"] {
            assert!(fields.contains(&field), "Query.{field} is missing");
        }
        assert!(types.iter().any(|ty| ty["name"] == "Money"));
        assert!(
            !schema["directives"]
                .as_array()
                .expect("directives")
                .is_empty()
        );
    }
}

#[tokio::test]
async fn introspection_counts_against_the_depth_of_the_data_beside_it() {
    let app = TestApp::new().await;
    // Introspection does not add to the depth of the query it is sent with...
    let with_data = format!(
        "{{ __schema {{ queryType {{ name }} }} {} }}",
        nested(10).trim_start_matches('{').trim_end_matches('}')
    );
    app.gql(&with_data, json!({})).await.data();
    // ...and does not hide data nested too deep.
    let hidden = format!(
        "{{ __type(name: \"Query\") {{ name }} {} }}",
        nested(11).trim_start_matches('{').trim_end_matches('}')
    );
    assert_eq!(
        app.gql(&hidden, json!({})).await.error_code(),
        "QUERY_TOO_COMPLEX"
    );
}

#[tokio::test]
async fn introspection_may_not_nest_lists_of_types_inside_each_other() {
    let app = TestApp::new().await;
    app.gql(
        "{ __schema { types { fields { type { fields { name } } } } } }",
        json!({}),
    )
    .await
    .data();
    // Each level multiplies the response by the size of the schema, through fragments too.
    let response = app
        .gql(
            "{ __schema { types { ...T } } } \
             fragment T on __Type { fields { type { interfaces { possibleTypes { name } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(response.error_code(), "QUERY_TOO_COMPLEX");
    assert!(response.error_message().contains("introspection"));
}

#[tokio::test]
async fn a_query_more_complex_than_the_limit_is_refused() {
    let app = TestApp::with_config(|config| config.limits.max_complexity = 5).await;
    app.gql("{ __typename }", json!({})).await.data();
    let response = app
        .gql(
            "{ __schema { types { name description kind fields { name } } } }",
            json!({}),
        )
        .await;
    assert_eq!(response.error_code(), "QUERY_TOO_COMPLEX");
    assert!(response.error_message().contains("complexity"));
}

#[tokio::test]
async fn too_many_aliases_are_refused() {
    let app = TestApp::new().await;
    let aliases = |n: usize| {
        let fields: Vec<_> = (0..n).map(|i| format!("a{i}: __typename")).collect();
        format!("{{ {} }}", fields.join(" "))
    };
    app.gql(&aliases(15), json!({})).await.data();
    let response = app.gql(&aliases(16), json!({})).await;
    assert_eq!(response.error_code(), "QUERY_TOO_COMPLEX");
    assert!(response.error_message().contains("aliases"));
}

#[tokio::test]
async fn too_many_directives_are_refused() {
    let app = TestApp::new().await;
    let directives = " @include(if: true)".repeat(51);
    let response = app
        .gql(&format!("{{ __typename{directives} }}"), json!({}))
        .await;
    assert_eq!(response.error_code(), "QUERY_TOO_COMPLEX");
    assert!(response.error_message().contains("directives"));
}

#[tokio::test]
async fn the_limits_are_configurable() {
    let app = TestApp::with_config(|config| config.limits.max_aliases = 1).await;
    let response = app.gql("{ a: __typename b: __typename }", json!({})).await;
    assert_eq!(response.error_code(), "QUERY_TOO_COMPLEX");
}
