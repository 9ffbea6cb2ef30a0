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

/// `{ ...F0 }` where each of `levels` fragments spreads the next twice: about 1 KB of text at
/// 26 levels, 2^25 fields once expanded.
fn doubling_fragments(levels: usize) -> String {
    let mut query = "{ ...F0 }".to_owned();
    for i in 0..levels - 1 {
        query.push_str(&format!(
            " fragment F{i} on Query {{ ...F{n} ...F{n} }}",
            n = i + 1
        ));
    }
    query.push_str(&format!(
        " fragment F{} on Query {{ __typename }}",
        levels - 1
    ));
    query
}

/// Sends `query` anonymously and says how long the answer took.
async fn timed(app: &TestApp, query: &str) -> (tests::Gql, std::time::Duration) {
    let started = std::time::Instant::now();
    let response = app.gql(query, json!({})).await;
    (response, started.elapsed())
}

#[tokio::test]
async fn a_kilobyte_of_fragments_that_expands_exponentially_is_refused_at_once() {
    let production = TestApp::production(|_| {}).await;
    let development = TestApp::new().await;
    let bomb = doubling_fragments(26);
    assert!(bomb.len() < 1200, "the attack is about a kilobyte");
    for app in [&development, &production] {
        let (response, took) = timed(app, &bomb).await;
        assert_eq!(response.error_code(), "QUERY_TOO_COMPLEX");
        assert_eq!(
            response.error_message(),
            "The query makes 100663295 selections once its fragments are expanded; at most \
             1000 are allowed."
        );
        assert!(took < std::time::Duration::from_secs(1), "took {took:?}");
    }
    // The server is still free for everyone else.
    development.gql("{ __typename }", json!({})).await.data();
}

#[tokio::test]
async fn aliases_and_directives_count_as_often_as_their_fragment_is_spread() {
    let app = TestApp::new().await;
    // 4 aliases in a fragment spread 4 times: 16, over the limit of 15.
    let aliases = "{ ...A ...B } fragment A on Query { ...C ...C } fragment B on Query { ...C ...C } \
                   fragment C on Query { a: __typename b: __typename c: __typename d: __typename }";
    let response = app.gql(aliases, json!({})).await;
    assert_eq!(response.error_code(), "QUERY_TOO_COMPLEX");
    assert!(response.error_message().contains("aliases"));
    // 13 directives in a fragment spread 4 times: 52, over the limit of 50.
    let directives = format!(
        "{{ ...A ...A ...B ...B }} fragment A on Query {{ ...C }} fragment B on Query {{ ...C }} \
         fragment C on Query {{ __typename{} }}",
        " @include(if: true)".repeat(13)
    );
    let response = app.gql(&directives, json!({})).await;
    assert_eq!(response.error_code(), "QUERY_TOO_COMPLEX");
    assert!(response.error_message().contains("directives"));
}

#[tokio::test]
async fn a_fragment_that_spreads_itself_is_refused_before_it_is_followed() {
    let app = TestApp::new().await;
    let (response, took) = timed(
        &app,
        "{ ...A } fragment A on Query { __typename ...B } fragment B on Query { ...A }",
    )
    .await;
    assert_eq!(response.error_code(), "GRAPHQL_VALIDATION_FAILED");
    assert_eq!(
        response.error_message(),
        "The fragment \"A\" spreads itself; a fragment may not include itself."
    );
    assert!(took < std::time::Duration::from_secs(1), "took {took:?}");
}

#[tokio::test]
async fn the_expanded_selection_limit_is_configurable() {
    // A spread and three fields: four selections.
    let app = TestApp::with_config(|config| config.limits.max_selections = 4).await;
    app.gql(
        "{ ...F } fragment F on Query { __typename membershipClasses { key } }",
        json!({}),
    )
    .await
    .data();
    let response = app
        .gql("{ ...F ...G } fragment F on Query { __typename } fragment G on Query { ...F ...F ...F }", json!({}))
        .await;
    assert_eq!(response.error_code(), "QUERY_TOO_COMPLEX");
}

/// A random graph of fragments on `Query`: each fragment holds a few fields and spreads a few
/// others, any of them, itself included, so that graphs fan out, nest deeply and loop.
struct FragmentGraph {
    /// For each fragment: its own fields (aliased `__typename`s, or `membershipClasses`), and the
    /// fragments it spreads.
    fragments: Vec<(Vec<String>, Vec<usize>)>,
    /// The fragments the operation spreads.
    roots: Vec<usize>,
}

impl FragmentGraph {
    fn random(rng: &mut impl rand::Rng) -> Self {
        let count = rng.gen_range(1..=30);
        let mut fragments: Vec<(Vec<String>, Vec<usize>)> = (0..count)
            .map(|i| {
                let fields = (0..rng.gen_range(0..=3))
                    .map(|j| match rng.gen_range(0..3) {
                        0 => "__typename".to_owned(),
                        1 => format!("f{i}x{j}: __typename"),
                        _ => "membershipClasses { key }".to_owned(),
                    })
                    .collect();
                (fields, Vec::new())
            })
            .collect();
        // Every fragment is spread by an earlier one, so that all are used; then a few more
        // spreads each, mostly forward (fan-out), rarely backward or to itself (cycles).
        for i in 1..count {
            let parent = rng.gen_range(0..i);
            fragments[parent].1.push(i);
        }
        for (i, (_, spreads)) in fragments.iter_mut().enumerate() {
            for _ in 0..rng.gen_range(0..=2) {
                let target = if rng.gen_bool(0.95) {
                    if i + 1 == count {
                        continue;
                    }
                    rng.gen_range(i + 1..count)
                } else {
                    rng.gen_range(0..=i)
                };
                spreads.push(target);
            }
        }
        // Now and then a fragment nobody spreads.
        if rng.gen_bool(0.15) {
            fragments.push((vec!["__typename".to_owned()], Vec::new()));
        }
        Self {
            fragments,
            roots: vec![0],
        }
    }

    fn document(&self) -> String {
        let spread = |targets: &[usize]| {
            targets
                .iter()
                .map(|t| format!("...F{t}"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let mut text = format!("{{ __typename {} }}", spread(&self.roots));
        for (i, (fields, spreads)) in self.fragments.iter().enumerate() {
            text.push_str(&format!(
                " fragment F{i} on Query {{ __typename {} {} }}",
                fields.join(" "),
                spread(spreads)
            ));
        }
        text
    }

    /// What the document must get, worked out here by expanding it independently: a fragment
    /// reachable from the operation that spreads itself is refused first, then a document
    /// over the limits (1,000 selections, 15 aliases, counted as expanded), then one that
    /// defines fragments it never uses.
    fn expected(&self) -> Expected {
        fn visit(
            graph: &FragmentGraph,
            i: usize,
            state: &mut Vec<u8>,
            memo: &mut Vec<(u128, u128)>,
        ) -> Option<(u128, u128)> {
            match state[i] {
                1 => return None,
                2 => return Some(memo[i]),
                _ => {}
            }
            state[i] = 1;
            let (fields, spreads) = &graph.fragments[i];
            let mut selections = 1 + fields
                .iter()
                .map(|f| {
                    if f.starts_with("membershipClasses") {
                        2
                    } else {
                        1
                    }
                })
                .sum::<u128>();
            let mut aliases = fields.iter().filter(|f| f.contains(':')).count() as u128;
            for &s in spreads {
                let (n, a) = visit(graph, s, state, memo)?;
                // The spread itself is a selection too.
                selections = selections.saturating_add(1).saturating_add(n);
                aliases = aliases.saturating_add(a);
            }
            state[i] = 2;
            memo[i] = (selections, aliases);
            Some(memo[i])
        }
        let mut state = vec![0; self.fragments.len()];
        let mut memo = vec![(0, 0); self.fragments.len()];
        let mut total = (1u128, 0u128);
        for &root in &self.roots {
            match visit(self, root, &mut state, &mut memo) {
                Some((n, a)) => {
                    total = (total.0.saturating_add(1 + n), total.1.saturating_add(a));
                }
                None => return Expected::Cycle,
            }
        }
        if total.0 > 1000 || total.1 > 15 {
            Expected::TooComplex
        } else if state.contains(&0) {
            // Fragments no operation uses are refused by validation (they may loop, too).
            Expected::Invalid
        } else {
            Expected::Answered
        }
    }
}

#[derive(Debug, PartialEq)]
enum Expected {
    Cycle,
    Invalid,
    TooComplex,
    Answered,
}

#[tokio::test]
async fn random_fragment_graphs_are_refused_or_answered_within_the_limits_in_under_a_second() {
    use rand::SeedableRng;
    let app = TestApp::new().await;
    let mut rng = rand::rngs::StdRng::seed_from_u64(20_261_207);
    let mut seen = std::collections::HashMap::<String, usize>::new();
    for case in 0..300 {
        let graph = FragmentGraph::random(&mut rng);
        let document = graph.document();
        let expected = graph.expected();
        let (response, took) = timed(&app, &document).await;
        assert!(
            took < std::time::Duration::from_secs(1),
            "case {case} took {took:?}: {document}"
        );
        let outcome = match expected {
            Expected::Answered => {
                assert_eq!(
                    response.data()["__typename"],
                    json!("Query"),
                    "case {case}: {document}"
                );
                "answered"
            }
            Expected::TooComplex => {
                assert_eq!(
                    response.error_code(),
                    "QUERY_TOO_COMPLEX",
                    "case {case}: {document}"
                );
                "too complex"
            }
            Expected::Cycle | Expected::Invalid => {
                assert_eq!(
                    response.error_code(),
                    "GRAPHQL_VALIDATION_FAILED",
                    "case {case}: {document}"
                );
                if expected == Expected::Cycle {
                    "cycle"
                } else {
                    "unused fragment"
                }
            }
        };
        *seen.entry(outcome.to_owned()).or_default() += 1;
    }
    eprintln!("outcomes: {seen:?}");
    // The generator reaches every outcome, so the test checks each of them.
    for outcome in ["answered", "too complex", "cycle", "unused fragment"] {
        assert!(seen.get(outcome).copied().unwrap_or(0) >= 10, "{seen:?}");
    }
}

/// The time limit holds even while a request's work never pauses: here the limits are lifted so
/// that the engine spends seconds expanding fragments in one go.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_time_limit_answers_even_while_a_request_is_busy_computing() {
    let app = TestApp::with_config(|config| {
        config.limits.max_selections = usize::MAX;
        config.limits.max_complexity = usize::MAX;
        config.request_timeout = std::time::Duration::from_millis(300);
    })
    .await;
    let (response, took) = timed(&app, &doubling_fragments(21)).await;
    assert_eq!(response.status, 503);
    assert_eq!(response.error_code(), "SERVICE_UNAVAILABLE");
    assert!(took < std::time::Duration::from_secs(2), "took {took:?}");
}
