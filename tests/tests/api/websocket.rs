//! The WebSocket endpoint holds a connection to the rules of a request: it must introduce itself
//! in time, it ends with its session, and it runs a bounded number of subscriptions.

use std::time::Duration;

use serde_json::json;
use tests::{
    TestApp,
    factories::{a_person, an_amendment_in_voting},
    ws::{Received, connect, next_message, open, receive, send},
};

async fn app_with_fast_websockets() -> TestApp {
    TestApp::with_config(|config| {
        config.websocket.init_timeout = Duration::from_secs(1);
        config.websocket.recheck = Duration::from_secs(1);
        config.websocket.max_subscriptions = 2;
    })
    .await
}

fn subscribe(id: &str, amendment: &str) -> serde_json::Value {
    json!({
        "id": id,
        "type": "subscribe",
        "payload": { "query": "subscription($id: ID!) { amendmentTally(amendmentId: $id) { yes } }",
                     "variables": { "id": amendment } },
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_that_never_introduces_itself_is_closed_with_4408() {
    let app = app_with_fast_websockets().await;
    let addr = TestApp::serve(app.state.clone()).await;
    let mut socket = open(addr).await;
    match receive(&mut socket).await {
        Received::Closed { code, .. } => assert_eq!(code, 4408),
        other => panic!("expected a close, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_credential_is_refused_with_4403() {
    let app = app_with_fast_websockets().await;
    let addr = TestApp::serve(app.state.clone()).await;
    let mut socket = connect(addr, Some("not-a-token")).await;
    match receive(&mut socket).await {
        Received::Closed { code, reason } => {
            assert_eq!(code, 4403);
            assert!(reason.starts_with("Forbidden"), "{reason}");
        }
        other => panic!("expected a close, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logging_out_closes_the_sessions_sockets() {
    let app = app_with_fast_websockets().await;
    let ada = a_person(&app, "Ada").await;
    let addr = TestApp::serve(app.state.clone()).await;
    let mut socket = connect(addr, Some(&ada.access_token)).await;
    assert_eq!(next_message(&mut socket).await["type"], "connection_ack");

    let out = app
        .gql(
            "mutation($input: LogOutInput!) { logOut(input: $input) { ok } }",
            json!({ "input": { "refreshToken": ada.refresh_token } }),
        )
        .await;
    assert_eq!(out.data()["logOut"]["ok"], true);

    match receive(&mut socket).await {
        Received::Closed { code, reason } => {
            assert_eq!(code, 4403);
            assert!(reason.contains("session has ended"), "{reason}");
        }
        other => panic!("expected a close, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_runs_at_most_the_configured_number_of_subscriptions() {
    let app = app_with_fast_websockets().await;
    let (_, amendment) = an_amendment_in_voting(&app, "Live.").await;
    let addr = TestApp::serve(app.state.clone()).await;
    let mut socket = connect(addr, None).await;
    assert_eq!(next_message(&mut socket).await["type"], "connection_ack");
    for id in ["1", "2", "3"] {
        send(&mut socket, subscribe(id, &amendment)).await;
    }
    // The third is refused by id; the first two run.
    let mut refused = None;
    for _ in 0..6 {
        let message = next_message(&mut socket).await;
        if message["id"] == "3" {
            refused = Some(message);
            break;
        }
    }
    let refused = refused.expect("the third subscription is answered");
    assert_eq!(refused["type"], "error");
    assert_eq!(
        refused["payload"][0]["extensions"]["code"],
        "BAD_USER_INPUT"
    );

    // Once the client ends one, there is room again.
    send(&mut socket, json!({ "id": "1", "type": "complete" })).await;
    send(&mut socket, subscribe("4", &amendment)).await;
    let mut answered = false;
    for _ in 0..6 {
        let message = next_message(&mut socket).await;
        if message["id"] == "4" {
            assert_eq!(message["type"], "next", "{message}");
            answered = true;
            break;
        }
    }
    assert!(answered);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_outage_at_connection_init_closes_with_a_generic_reason() {
    let app = app_with_fast_websockets().await;
    let ada = a_person(&app, "Ada").await;
    let addr = TestApp::serve(app.state.clone()).await;
    // The database goes away: checking Ada's session cannot be done.
    app.db().clone().close().await.expect("close the pool");
    let mut socket = connect(addr, Some(&ada.access_token)).await;
    match receive(&mut socket).await {
        Received::Closed { code, reason } => {
            assert_eq!(code, 4500);
            assert_eq!(
                reason,
                "the server could not accept the connection; try again"
            );
        }
        other => panic!("expected a close, got {other:?}"),
    }
}

/// What a connection attempt got: upgraded, or refused with an HTTP status.
async fn try_open(addr: std::net::SocketAddr) -> Result<tests::ws::Socket, u16> {
    use tokio_tungstenite::tungstenite::{Error, client::IntoClientRequest, http::HeaderValue};
    let mut request = format!("ws://{addr}/graphql/ws")
        .into_client_request()
        .expect("a request");
    request.headers_mut().insert(
        "sec-websocket-protocol",
        HeaderValue::from_static("graphql-transport-ws"),
    );
    match tokio_tungstenite::connect_async(request).await {
        Ok((socket, _)) => Ok(socket),
        Err(Error::Http(response)) => Err(response.status().as_u16()),
        Err(other) => panic!("connect: {other}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_address_holds_a_bounded_share_of_connections_and_subscriptions() {
    // Each connection and each running subscription counts one against the address's 6.
    let app = TestApp::with_config(|config| {
        config.websocket.max_per_address = 6;
        config.websocket.max_subscriptions = 20;
    })
    .await;
    let (_, amendment) = an_amendment_in_voting(&app, "Live.").await;
    let addr = TestApp::serve(app.state.clone()).await;

    // Three connections with one subscription each: 6 units, the whole share.
    let mut sockets = Vec::new();
    for _ in 0..3 {
        let mut socket = try_open(addr).await.expect("room for a connection");
        send(
            &mut socket,
            json!({ "type": "connection_init", "payload": {} }),
        )
        .await;
        assert_eq!(next_message(&mut socket).await["type"], "connection_ack");
        send(&mut socket, subscribe("1", &amendment)).await;
        assert_eq!(next_message(&mut socket).await["type"], "next");
        sockets.push(socket);
    }
    // A fourth connection is refused before it upgrades.
    assert_eq!(try_open(addr).await.err(), Some(429));
    // A second subscription on a connection is refused by id, and the connection stays.
    send(&mut sockets[0], subscribe("2", &amendment)).await;
    let refused = next_message(&mut sockets[0]).await;
    assert_eq!(refused["id"], "2");
    assert_eq!(refused["type"], "error");
    assert_eq!(refused["payload"][0]["extensions"]["code"], "RATE_LIMITED");

    // Closing a connection gives its units back.
    let closed = sockets.pop().expect("a socket");
    drop(closed);
    let mut freed = None;
    for _ in 0..50 {
        if let Ok(socket) = try_open(addr).await {
            freed = Some(socket);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(freed.is_some(), "the closed connection's units came back");
}
