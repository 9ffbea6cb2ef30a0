//! One paging path: a webhook endpoint's delivery log takes `first`/`after` and `last`/`before`
//! like every connection, its pages join up whichever way they are read, and endpoints read
//! together each get their own page.

use serde_json::{Value, json};
use tests::{
    TestApp,
    factories::{Person, a_sponsorship, an_organization},
    notifications::{Foundation, a_foundation, an_endpoint},
};

const DELIVERIES: &str =
    "query($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  node(id: $id) { ... on WebhookEndpoint {
    deliveries(first: $first, after: $after, last: $last, before: $before) {
      totalCount
      nodes { id createdAt }
      pageInfo { hasPreviousPage hasNextPage startCursor endCursor }
    } } } }";

/// The delivery page `who` reads of endpoint `id` with the paging arguments `args`.
async fn page(app: &TestApp, who: &Person, id: &str, args: Value) -> Value {
    let mut variables = args;
    variables["id"] = json!(id);
    app.gql_as(&who.access_token, DELIVERIES, variables)
        .await
        .data()["node"]["deliveries"]
        .clone()
}

/// The IDs of a page's nodes.
fn ids(page: &Value) -> Vec<Value> {
    page["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|node| node["id"].clone())
        .collect()
}

/// (hasPreviousPage, hasNextPage)
fn more(page: &Value) -> (bool, bool) {
    let info = &page["pageInfo"];
    (
        info["hasPreviousPage"].as_bool().expect("a bool"),
        info["hasNextPage"].as_bool().expect("a bool"),
    )
}

/// Five new sponsors, each a `sponsorship.created` for every endpoint subscribed to it.
async fn five_sponsors(app: &TestApp, f: &Foundation) {
    for n in 0..5 {
        let org = an_organization(app, &f.rep, &format!("Sponsor {n}")).await;
        a_sponsorship(&org, "Gold").record(app, &f.treasurer).await;
    }
}

#[tokio::test]
async fn a_delivery_log_pages_forward_and_backward_newest_first() {
    let app = TestApp::new().await;
    let f = a_foundation(&app).await;
    let endpoint = an_endpoint("http://127.0.0.1:9/log", &["SPONSORSHIP_CREATED"])
        .create(&app, &f.admin)
        .await;
    five_sponsors(&app, &f).await;
    let admin = &f.admin;
    let id = endpoint.id.as_str();

    let all = page(&app, admin, id, json!({ "first": 10 })).await;
    assert_eq!(all["totalCount"], 5);
    let every = ids(&all);
    assert_eq!(every.len(), 5);
    let created: Vec<&str> = all["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|node| node["createdAt"].as_str().expect("a time"))
        .collect();
    assert!(
        created.windows(2).all(|pair| pair[0] >= pair[1]),
        "newest first: {created:?}"
    );
    // Without arguments: the first 20, as every connection.
    assert_eq!(ids(&page(&app, admin, id, json!({})).await), every);

    // Forward, two at a time.
    let one = page(&app, admin, id, json!({ "first": 2 })).await;
    assert_eq!(
        (ids(&one), more(&one)),
        (every[0..2].to_vec(), (false, true))
    );
    let two = page(
        &app,
        admin,
        id,
        json!({ "first": 2, "after": one["pageInfo"]["endCursor"] }),
    )
    .await;
    assert_eq!(
        (ids(&two), more(&two)),
        (every[2..4].to_vec(), (true, true))
    );
    let three = page(
        &app,
        admin,
        id,
        json!({ "first": 2, "after": two["pageInfo"]["endCursor"] }),
    )
    .await;
    assert_eq!(
        (ids(&three), more(&three)),
        (every[4..5].to_vec(), (true, false))
    );

    // Backward from the oldest, two at a time, each page still newest first.
    let last = page(&app, admin, id, json!({ "last": 2 })).await;
    assert_eq!(
        (ids(&last), more(&last)),
        (every[3..5].to_vec(), (true, false))
    );
    let before = page(
        &app,
        admin,
        id,
        json!({ "last": 2, "before": last["pageInfo"]["startCursor"] }),
    )
    .await;
    assert_eq!(
        (ids(&before), more(&before)),
        (every[1..3].to_vec(), (true, true))
    );
    let first = page(
        &app,
        admin,
        id,
        json!({ "last": 2, "before": before["pageInfo"]["startCursor"] }),
    )
    .await;
    assert_eq!(
        (ids(&first), more(&first)),
        (every[0..1].to_vec(), (false, true))
    );

    // The arguments are checked as every connection's are.
    for (args, field) in [
        (json!({ "first": 101 }), "first"),
        (json!({ "first": 1, "last": 1 }), "last"),
        (json!({ "after": "bogus" }), "after"),
        (
            json!({ "last": 1, "after": one["pageInfo"]["endCursor"] }),
            "after",
        ),
    ] {
        let mut variables = args.clone();
        variables["id"] = json!(id);
        let refused = app.gql_as(&admin.access_token, DELIVERIES, variables).await;
        assert_eq!(refused.error_code(), "BAD_USER_INPUT", "{args}");
        assert_eq!(refused.error_field(), field, "{args}");
    }
}

#[tokio::test]
async fn endpoints_read_together_each_get_their_own_page() {
    let app = TestApp::new().await;
    let f = a_foundation(&app).await;
    let a = an_endpoint("http://127.0.0.1:9/a", &["SPONSORSHIP_CREATED"])
        .create(&app, &f.admin)
        .await;
    let b = an_endpoint("http://127.0.0.1:9/b", &["SPONSORSHIP_CREATED"])
        .create(&app, &f.admin)
        .await;
    five_sponsors(&app, &f).await;
    let admin = &f.admin;
    let a_all = ids(&page(&app, admin, &a.id, json!({ "first": 5 })).await);
    let b_all = ids(&page(&app, admin, &b.id, json!({ "first": 5 })).await);
    let a_first = page(&app, admin, &a.id, json!({ "first": 2 })).await;

    // One request: A's second page and B's first, batched by the same loader.
    let both = app
        .gql_as(
            &admin.access_token,
            "query($a: ID!, $b: ID!, $after: String) {
               a: node(id: $a) { ... on WebhookEndpoint { deliveries(first: 2, after: $after) { nodes { id } } } }
               b: node(id: $b) { ... on WebhookEndpoint { deliveries(first: 2) { nodes { id } } } }
               listed: webhookEndpoints { nodes { deliveries(last: 1) { nodes { id } } } }
             }",
            json!({ "a": a.id, "b": b.id, "after": a_first["pageInfo"]["endCursor"] }),
        )
        .await;
    let data = both.data();
    assert_eq!(ids(&data["a"]["deliveries"]), a_all[2..4].to_vec());
    assert_eq!(ids(&data["b"]["deliveries"]), b_all[0..2].to_vec());
    assert_eq!(
        data["listed"]["nodes"],
        json!([
            { "deliveries": { "nodes": [{ "id": a_all[4] }] } },
            { "deliveries": { "nodes": [{ "id": b_all[4] }] } },
        ])
    );
}
