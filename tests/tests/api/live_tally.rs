//! The live tally over WebSocket (graphql-transport-ws), fanned out across replicas.

use std::time::Duration;

use api::auth::Role;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tests::{
    TestApp,
    factories::{
        a_contributor, a_person_with, a_proposed_amendment, an_amendment_in_voting, no_waiting,
        open_vote, sample_bylaws,
    },
    ws::{connect, next_message, send, subscribe_to_tally},
};
use tokio_tungstenite::tungstenite::Message;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscriber_sees_each_vote_even_when_cast_on_another_replica() {
    let app = TestApp::new().await;
    let secretary = a_person_with(&app, "Sami", Role::Secretary).await;
    let admin = a_person_with(&app, "Root", Role::Admin).await;
    let committee = a_person_with(&app, "Mia", Role::MembershipCommittee).await;
    let sections = sample_bylaws(&app, &secretary).await;
    no_waiting(&app, &admin).await;
    let (ada, _) = a_contributor(&app, "Ada", &committee).await;
    let (grace, _) = a_contributor(&app, "Grace", &committee).await;
    let amendment = a_proposed_amendment(&app, &ada, &sections[1], "Live.").await;
    open_vote(&app, &secretary, &amendment, "MEMBERS")
        .await
        .data();

    // The subscriber is on one replica; on PostgreSQL the votes go to another, sharing only the
    // database. SQLite runs one process, so both are the same replica there.
    let subscriber = TestApp::serve(app.state.clone()).await;
    let voting = if app.backend() == sea_orm::DbBackend::Postgres {
        TestApp::serve(app.replica().await).await
    } else {
        subscriber
    };

    let mut socket = connect(subscriber, Some(&grace.access_token)).await;
    assert_eq!(
        next_message(&mut socket).await["type"],
        json!("connection_ack")
    );
    socket
        .send(Message::text(
            json!({
                "id": "tally",
                "type": "subscribe",
                "payload": {
                    "query": "subscription($id: ID!) { amendmentTally(amendmentId: $id) { yes no abstain eligibleVoters } }",
                    "variables": { "id": amendment },
                },
            })
            .to_string(),
        ))
        .await
        .expect("subscribe");
    let first = next_message(&mut socket).await;
    // Only subscriptions are served on the socket; a mutation must go through POST /graphql.
    let sneaky = json!({
        "id": "sneaky",
        "type": "subscribe",
        "payload": { "query": "mutation { logOut(input: { refreshToken: \"x\" }) { ok } }" },
    });
    socket
        .send(Message::text(sneaky.to_string()))
        .await
        .expect("send");
    let refused = next_message(&mut socket).await;
    assert_eq!(refused["id"], json!("sneaky"));
    assert_eq!(refused["payload"]["data"], json!(null), "{refused}");
    assert_eq!(
        refused["payload"]["errors"][0]["extensions"]["code"],
        json!("BAD_USER_INPUT")
    );
    assert_eq!(
        next_message(&mut socket).await,
        json!({ "id": "sneaky", "type": "complete" })
    );
    assert_eq!(
        first["payload"]["data"]["amendmentTally"],
        json!({ "yes": 0, "no": 0, "abstain": 0, "eligibleVoters": 2 })
    );

    let cast = |token: String, choice: &'static str| {
        let amendment = amendment.clone();
        async move {
            let response = cast_over_http(voting, &token, &amendment, choice).await;
            assert_eq!(
                response,
                json!({ "data": { "castAmendmentVote": { "vote": { "choice": choice } } } })
            );
        }
    };
    cast(ada.access_token.clone(), "YES").await;
    let after_yes = next_message(&mut socket).await;
    assert_eq!(
        after_yes["payload"]["data"]["amendmentTally"],
        json!({ "yes": 1, "no": 0, "abstain": 0, "eligibleVoters": 2 })
    );
    cast(grace.access_token.clone(), "NO").await;
    let after_no = next_message(&mut socket).await;
    assert_eq!(
        after_no["payload"]["data"]["amendmentTally"],
        json!({ "yes": 1, "no": 1, "abstain": 0, "eligibleVoters": 2 })
    );
}

#[tokio::test]
async fn a_forged_token_in_connection_init_is_refused() {
    let app = TestApp::new().await;
    let addr = TestApp::serve(app.state.clone()).await;
    let mut socket = connect(addr, Some("not-a-token")).await;
    let reply = tokio::time::timeout(Duration::from_secs(10), socket.next())
        .await
        .expect("an answer");
    // The server refuses the connection instead of treating the caller as anonymous.
    match reply {
        Some(Ok(Message::Close(_))) | None | Some(Err(_)) => {}
        Some(Ok(Message::Text(text))) => {
            let value: Value = serde_json::from_str(&text).expect("json");
            assert_ne!(value["type"], json!("connection_ack"), "{value}");
        }
        Some(Ok(other)) => panic!("unexpected {other:?}"),
    }
}

/// Casts a vote over plain HTTP/1.1 against a served replica; returns the JSON body of a 200
/// response.
async fn cast_over_http(
    addr: std::net::SocketAddr,
    token: &str,
    amendment: &str,
    choice: &str,
) -> Value {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let body = json!({
        "query": "mutation($input: CastVoteInput!) { castAmendmentVote(input: $input) { vote { choice } } }",
        "variables": { "input": { "amendmentId": amendment, "choice": choice } },
    })
    .to_string();
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let request = format!(
        "POST /graphql HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\nauthorization: Bearer {token}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut response = String::new();
    stream.read_to_string(&mut response).await.expect("read");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    // The JSON body, whether sent with a length or in one chunk.
    let body = response
        .find('{')
        .zip(response.rfind('}'))
        .map(|(start, end)| &response[start..=end])
        .unwrap_or_else(|| panic!("no JSON body in {response}"));
    serde_json::from_str(body).expect("a JSON body")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queries_still_work_with_one_connection_while_a_subscription_is_open() {
    let app = TestApp::with_config(|config| config.db_max_connections = 1).await;
    let (ada, amendment) = an_amendment_in_voting(&app, "One connection.").await;
    let addr = TestApp::serve(app.state.clone()).await;
    let mut socket = connect(addr, Some(&ada.access_token)).await;
    assert_eq!(
        next_message(&mut socket).await["type"],
        json!("connection_ack")
    );
    assert_eq!(
        subscribe_to_tally(&mut socket, "tally", &amendment).await,
        json!({ "yes": 0, "eligibleVoters": 1 })
    );
    // The subscription holds no connection of the pool: reads and writes still go through.
    let read = app
        .gql(
            "query($id: ID!) { amendment(id: $id) { status } }",
            json!({ "id": amendment }),
        )
        .await;
    assert_eq!(read.data()["amendment"], json!({ "status": "VOTING" }));
    assert_eq!(
        cast_over_http(addr, &ada.access_token, &amendment, "YES").await,
        json!({ "data": { "castAmendmentVote": { "vote": { "choice": "YES" } } } })
    );
    assert_eq!(
        next_message(&mut socket).await["payload"]["data"]["amendmentTally"],
        json!({ "yes": 1, "eligibleVoters": 1 })
    );
}

#[tokio::test]
async fn a_malformed_amendment_id_is_reported_at_its_argument() {
    let app = TestApp::new().await;
    let addr = TestApp::serve(app.state.clone()).await;
    let mut socket = connect(addr, None).await;
    assert_eq!(
        next_message(&mut socket).await["type"],
        json!("connection_ack")
    );
    socket
        .send(Message::text(
            json!({
                "id": "tally",
                "type": "subscribe",
                "payload": {
                    "query": "subscription { amendmentTally(amendmentId: \"not-an-id\") { yes } }",
                },
            })
            .to_string(),
        ))
        .await
        .expect("subscribe");
    let reply = next_message(&mut socket).await;
    // A resolver error arrives as a `next` frame's errors, a request error as an `error` frame.
    let error = if reply["payload"].is_array() {
        &reply["payload"][0]
    } else {
        &reply["payload"]["errors"][0]
    };
    assert_eq!(
        error["extensions"]["code"],
        json!("BAD_USER_INPUT"),
        "{reply}"
    );
    assert_eq!(
        error["extensions"]["field"],
        json!("amendmentId"),
        "{reply}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_the_listener_reconnects_every_subscriber_re_reads() {
    let app = TestApp::new().await;
    if app.backend() != sea_orm::DbBackend::Postgres {
        // SQLite runs one process and needs no LISTEN connection.
        return;
    }
    let (ada, amendment) = an_amendment_in_voting(&app, "Reconnect.").await;
    let addr = TestApp::serve(app.state.clone()).await;
    let mut socket = connect(addr, Some(&ada.access_token)).await;
    assert_eq!(
        next_message(&mut socket).await["type"],
        json!("connection_ack")
    );
    assert_eq!(
        subscribe_to_tally(&mut socket, "tally", &amendment).await,
        json!({ "yes": 0, "eligibleVoters": 1 })
    );
    // A vote whose notification never arrives, as when the link was cut while it committed.
    app.sql(
        "INSERT INTO amendment_votes (roll_entry_id, amendment_id, cast_by, choice, cast_at)
         SELECT r.id, r.amendment_id, (SELECT id FROM accounts LIMIT 1), 'YES', now() FROM voter_roll r",
    )
    .await;
    // The LISTEN connection drops; once it is back, the subscriber hears the counts again.
    app.sql(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()",
    )
    .await;
    assert_eq!(
        next_message(&mut socket).await["payload"]["data"]["amendmentTally"],
        json!({ "yes": 1, "eligibleVoters": 1 })
    );
}

#[tokio::test]
async fn the_live_tally_and_the_amendments_counts_are_one_record_in_a_normalized_cache() {
    let app = TestApp::new().await;
    let (ada, amendment) = an_amendment_in_voting(&app, "One record.").await;
    let addr = TestApp::serve(app.state.clone()).await;
    let mut socket = connect(addr, Some(&ada.access_token)).await;
    assert_eq!(
        next_message(&mut socket).await["type"],
        json!("connection_ack")
    );
    send(
        &mut socket,
        json!({
            "id": "tally",
            "type": "subscribe",
            "payload": {
                "query": "subscription($id: ID!) { amendmentTally(amendmentId: $id) { __typename id yes } }",
                "variables": { "id": amendment },
            },
        }),
    )
    .await;
    let live = next_message(&mut socket).await["payload"]["data"]["amendmentTally"].clone();
    let cast = app
        .gql_as(
            &ada.access_token,
            "mutation($input: CastVoteInput!) { castAmendmentVote(input: $input) { vote { id choice } } }",
            json!({ "input": { "amendmentId": amendment, "choice": "YES" } }),
        )
        .await;
    let read = app
        .gql_as(
            &ada.access_token,
            "query($id: ID!) { amendment(id: $id) { id votes { __typename id yes } myVote { id choice } } }",
            json!({ "id": amendment }),
        )
        .await;
    let read = &read.data()["amendment"];
    // urql graphcache and Apollo key a record by `__typename` and `id`: the event and the
    // amendment's counts are the same record, apart from the amendment itself.
    assert_eq!(read["votes"]["__typename"], live["__typename"]);
    assert_eq!(read["votes"]["id"], live["id"]);
    assert_ne!(read["votes"]["id"], read["id"]);
    let update = next_message(&mut socket).await["payload"]["data"]["amendmentTally"].clone();
    assert_eq!(
        update,
        json!({ "__typename": "VoteCounts", "id": live["id"], "yes": 1 })
    );
    // The vote cast is the vote the amendment shows its voter.
    assert_eq!(
        cast.data()["castAmendmentVote"]["vote"],
        read["myVote"],
        "{read}"
    );
    assert!(read["myVote"]["id"].is_string());
}
