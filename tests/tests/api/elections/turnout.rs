//! Live turnout over WebSocket: how many voted, after every ballot, across replicas; never
//! partial results.

use serde_json::json;
use tests::{
    TestApp,
    ws::{connect, next_message, send},
};

use super::{CAST, foundation};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscriber_sees_turnout_rise_with_ballots_cast_on_another_replica() {
    let f = foundation().await;
    let ada = f.member("Ada").await;
    let bob = f.member("Bob").await;
    let election = f.election("GENERAL", 1).await;
    let bob_n = f.candidate(&ada, &election, &bob).await;
    f.open_voting(&election).await;

    // The subscriber is on one replica; on PostgreSQL the ballots go to another, sharing only
    // the database. SQLite runs one process, so both are the same replica there.
    let subscriber = TestApp::serve(f.app.state.clone()).await;
    let voting = if f.app.backend() == sea_orm::DbBackend::Postgres {
        TestApp::client_for(f.app.replica().await)
    } else {
        TestApp::client_for(f.app.state.clone())
    };
    let mut socket = connect(subscriber, None).await;
    assert_eq!(
        next_message(&mut socket).await["type"],
        json!("connection_ack")
    );
    send(
        &mut socket,
        json!({
            "id": "turnout",
            "type": "subscribe",
            "payload": {
                "query": "subscription($id: ID!) { electionTurnout(electionId: $id) { voted rollSize } }",
                "variables": { "id": election },
            },
        }),
    )
    .await;
    let first = next_message(&mut socket).await;
    assert_eq!(
        first["payload"]["data"]["electionTurnout"],
        json!({ "voted": 0, "rollSize": 2 })
    );
    for (voter, expected) in [(&ada, 1), (&bob, 2)] {
        let cast = voting
            .post("/graphql")
            .content_type("application/json")
            .header("authorization", format!("Bearer {}", voter.access_token))
            .body_json(&json!({ "query": CAST, "variables": { "input": { "electionId": election, "ranking": [bob_n] } } }))
            .send()
            .await;
        let cast = tests::Gql::read(cast).await;
        cast.data();
        let update = next_message(&mut socket).await;
        assert_eq!(
            update["payload"]["data"]["electionTurnout"],
            json!({ "voted": expected, "rollSize": 2 })
        );
    }
    // The subscription carries no field for results: asking for one is a validation error.
    send(
        &mut socket,
        json!({
            "id": "peek",
            "type": "subscribe",
            "payload": {
                "query": "subscription($id: ID!) { electionTurnout(electionId: $id) { voted result } }",
                "variables": { "id": election },
            },
        }),
    )
    .await;
    let refused = next_message(&mut socket).await;
    assert_eq!(refused["id"], json!("peek"));
    assert!(
        refused["payload"].to_string().contains("result"),
        "{refused}"
    );
}
