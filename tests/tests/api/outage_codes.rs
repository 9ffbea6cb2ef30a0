//! With the database out of reach, every read answers `SERVICE_UNAVAILABLE` (worth a retry), not
//! `INTERNAL_SERVER_ERROR`: one amendment read by its key answers as a list does (issue 23,
//! item 7). Only a stored value that cannot be decoded is internal.

use serde_json::json;
use tests::{
    TestApp,
    factories::an_amendment_in_voting,
    ws::{connect, next_message, send},
};

const AMENDMENT: &str = "query One($id: ID!) { amendment(id: $id) { id title } }";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_amendment_and_its_live_tally_answer_unavailable_while_the_database_is_down() {
    let app = TestApp::new().await;
    let (_, amendment) = an_amendment_in_voting(&app, "Quorum of five").await;
    let addr = TestApp::serve(app.state.clone()).await;
    let before = app.gql(AMENDMENT, json!({ "id": amendment })).await;
    assert_eq!(before.data()["amendment"]["id"], json!(amendment));

    app.db().close_by_ref().await.expect("close the pool");

    let list = app
        .gql("{ amendments(first: 5) { totalCount } }", json!({}))
        .await;
    assert_eq!(list.error_code(), "SERVICE_UNAVAILABLE", "{:#}", list.body);
    let one = app.gql(AMENDMENT, json!({ "id": amendment })).await;
    assert_eq!(one.error_code(), "SERVICE_UNAVAILABLE", "{:#}", one.body);

    // The live tally reads the amendment by its key the same way.
    let mut socket = connect(addr, None).await;
    let ack = next_message(&mut socket).await;
    assert_eq!(ack["type"], "connection_ack", "{ack}");
    send(
        &mut socket,
        json!({
            "id": "1",
            "type": "subscribe",
            "payload": {
                "query": "subscription($id: ID!) { amendmentTally(amendmentId: $id) { yes } }",
                "variables": { "id": amendment },
            },
        }),
    )
    .await;
    let answer = next_message(&mut socket).await;
    assert_eq!(answer["id"], "1", "{answer}");
    assert_eq!(
        answer["payload"]["errors"][0]["extensions"]["code"], "SERVICE_UNAVAILABLE",
        "{answer}"
    );
}
