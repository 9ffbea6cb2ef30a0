//! Query limits: depth, complexity, aliases and directives, each refused as QUERY_TOO_COMPLEX.

use serde_json::json;
use tests::TestApp;

/// Introspection nests as deep as a client likes: `ofType` `levels` times.
fn nested(levels: usize) -> String {
    let mut selection = "name".to_owned();
    for _ in 0..levels {
        selection = format!("name ofType {{ {selection} }}");
    }
    format!("{{ __schema {{ queryType {{ fields {{ type {{ {selection} }} }} }} }} }}")
}

#[tokio::test]
async fn a_query_deeper_than_the_limit_is_refused() {
    let app = TestApp::new().await;
    let within = app.gql(&nested(5), json!({})).await;
    within.data();
    let too_deep = app.gql(&nested(8), json!({})).await;
    assert_eq!(too_deep.error_code(), "QUERY_TOO_COMPLEX");
    assert!(too_deep.error_message().contains("deep"));
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
