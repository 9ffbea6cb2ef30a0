//! A graphql-transport-ws client for the tests: connect, send, read the next message or close.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest, http::HeaderValue};

pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens `/graphql/ws` with the graphql-transport-ws subprotocol, sending nothing yet.
pub async fn open(addr: std::net::SocketAddr) -> Socket {
    let mut request = format!("ws://{addr}/graphql/ws")
        .into_client_request()
        .expect("a request");
    request.headers_mut().insert(
        "sec-websocket-protocol",
        HeaderValue::from_static("graphql-transport-ws"),
    );
    let (socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("connect");
    socket
}

/// Opens the socket and sends `connection_init`, with `Authorization: Bearer <token>` if given.
pub async fn connect(addr: std::net::SocketAddr, token: Option<&str>) -> Socket {
    let mut socket = open(addr).await;
    let payload = token.map_or(
        json!({}),
        |t| json!({ "authorization": format!("Bearer {t}") }),
    );
    send(
        &mut socket,
        json!({ "type": "connection_init", "payload": payload }),
    )
    .await;
    socket
}

pub async fn send(socket: &mut Socket, message: Value) {
    socket
        .send(Message::text(message.to_string()))
        .await
        .expect("send");
}

/// What the server sent next: a message (pings and pongs skipped) or the close frame.
#[derive(Debug)]
pub enum Received {
    Message(Value),
    Closed { code: u16, reason: String },
}

pub async fn receive(socket: &mut Socket) -> Received {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(15), socket.next())
            .await
            .expect("a frame in time");
        match frame {
            Some(Ok(Message::Text(text))) => {
                let value: Value = serde_json::from_str(&text).expect("json");
                if value["type"] != "ping" && value["type"] != "pong" {
                    return Received::Message(value);
                }
            }
            Some(Ok(Message::Close(frame))) => {
                return frame.map_or(
                    Received::Closed {
                        code: 1005,
                        reason: String::new(),
                    },
                    |f| Received::Closed {
                        code: f.code.into(),
                        reason: f.reason.to_string(),
                    },
                );
            }
            Some(Ok(_)) => {}
            Some(Err(err)) => panic!("the socket failed: {err}"),
            None => {
                return Received::Closed {
                    code: 1006,
                    reason: String::new(),
                };
            }
        }
    }
}

/// The next message, after asserting the socket did not close.
pub async fn next_message(socket: &mut Socket) -> Value {
    match receive(socket).await {
        Received::Message(value) => value,
        Received::Closed { code, reason } => panic!("closed with {code}: {reason}"),
    }
}

/// Subscribes to `amendment`'s live tally as `id` and returns the first tally it sends.
pub async fn subscribe_to_tally(socket: &mut Socket, id: &str, amendment: &str) -> Value {
    send(
        socket,
        json!({
            "id": id,
            "type": "subscribe",
            "payload": {
                "query": "subscription($id: ID!) { amendmentTally(amendmentId: $id) { yes eligibleVoters } }",
                "variables": { "id": amendment },
            },
        }),
    )
    .await;
    next_message(socket).await["payload"]["data"]["amendmentTally"].clone()
}
