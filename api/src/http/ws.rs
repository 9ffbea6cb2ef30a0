//! GraphQL subscriptions over WebSocket at `/graphql/ws` (graphql-transport-ws), authenticated by
//! `{ "authorization": "Bearer …" }` in the `connection_init` payload, or else by the session
//! cookie sent with the upgrade. A browser sends its cookies with an upgrade that any site's page
//! opens, so the cookie counts only when the upgrade's `Origin` is one this server allows (its
//! own, or a listed CORS origin): another site cannot borrow a visitor's session (cross-site
//! WebSocket hijacking).
//!
//! The connection is held to the same rules as a request: a connection that sends no
//! `connection_init` in time is closed (4408); its credential is checked again every
//! `QUORUM_WS_RECHECK_SECS`, and a logged-out session, an expired access token or a revoked API
//! token closes it (4403); it runs at most `QUORUM_WS_MAX_SUBSCRIPTIONS` subscriptions at once.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use async_graphql::{Data, http::WsMessage};
use async_graphql_poem::GraphQLProtocol;
use futures_util::{SinkExt, StreamExt, future};
use poem::{
    Endpoint, FromRequest, IntoResponse, Request, Response, Result,
    web::websocket::{Message, WebSocket, WebSocketStream},
};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::{
    auth::{
        cookie,
        viewer::{Credential, authenticate},
    },
    client_address::ClientAddress,
    error::{ApiError, code},
    http::{
        cors,
        ws_budget::{Unit, WsBudget},
    },
    state::AppState,
};

/// graphql-transport-ws close codes.
const FORBIDDEN: u16 = 4403;
const INIT_TIMEOUT: u16 = 4408;
const INTERNAL: u16 = 4500;

/// The `/graphql/ws` endpoint.
pub struct WebSocketEndpoint {
    state: AppState,
}

impl WebSocketEndpoint {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

impl Endpoint for WebSocketEndpoint {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Response> {
        let address = ClientAddress::of(&req, self.state.config.trust_forwarded_for);
        // The connection's own unit of this replica's budget, held until it closes.
        let unit = match self.state.ws_budget.take(&address.0) {
            Ok(unit) => unit,
            Err(exhausted) => {
                return Ok(Response::builder()
                    .status(poem::http::StatusCode::TOO_MANY_REQUESTS)
                    .header(poem::http::header::RETRY_AFTER, "30")
                    .body(exhausted.message()));
            }
        };
        // Only a page this server allows may lend the connection its session cookie.
        let cookie = cors::origin_allowed(&req, &self.state.config)
            .then(|| cookie::read(req.headers(), &self.state.config))
            .flatten()
            .map(str::to_owned);
        let (req, mut body) = req.split();
        let websocket = WebSocket::from_request(&req, &mut body).await?;
        let protocol = GraphQLProtocol::from_request(&req, &mut body).await?;
        let state = self.state.clone();
        Ok(websocket
            .protocols(async_graphql::http::ALL_WEBSOCKET_PROTOCOLS)
            .on_upgrade(move |stream| serve(state, stream, protocol, address, unit, cookie))
            .into_response())
    }
}

/// What the connection's parts share: the session cookie of its upgrade (if its origin may lend
/// it), its credential once given, why it was refused, and the subscriptions it runs, each
/// holding its unit of the replica's budget.
struct Connection {
    cookie: Option<String>,
    credential: Mutex<Option<Credential>>,
    refused: Mutex<Option<(u16, String)>>,
    active: Mutex<HashMap<String, Unit>>,
    budget: Arc<WsBudget>,
    address: String,
}

impl Connection {
    fn lock<T>(cell: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
        cell.lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

async fn serve(
    state: AppState,
    stream: WebSocketStream,
    protocol: GraphQLProtocol,
    address: ClientAddress,
    _unit: Unit,
    cookie: Option<String>,
) {
    let limits = state.config.websocket.clone();
    let connection = Arc::new(Connection {
        cookie,
        credential: Mutex::default(),
        refused: Mutex::default(),
        active: Mutex::default(),
        budget: state.ws_budget.clone(),
        address: address.0.clone(),
    });
    let (mut sink, source) = stream.split();
    // Messages the server sends on its own: refusals of subscriptions over the cap.
    let (inject, mut injected) = mpsc::unbounded_channel::<Message>();

    let inbound = {
        let connection = connection.clone();
        source
            .take_while(|message| future::ready(message.is_ok()))
            .filter_map(move |message| {
                let admitted = message
                    .ok()
                    .filter(|m| m.is_text() || m.is_binary())
                    .and_then(|m| admit(&connection, &inject, limits.max_subscriptions, m));
                future::ready(admitted.map(Message::into_bytes))
            })
    };
    let on_init = {
        let (state, connection) = (state.clone(), connection.clone());
        move |payload: Value| connection_data(state, connection, payload, address)
    };
    let engine = async_graphql::http::WebSocket::new(state.schema.clone(), inbound, protocol.0)
        .on_connection_init(on_init);
    futures_util::pin_mut!(engine);

    let init_deadline = tokio::time::sleep(limits.init_timeout);
    futures_util::pin_mut!(init_deadline);
    let mut recheck = tokio::time::interval(limits.recheck);
    recheck.tick().await;
    loop {
        let initialised = Connection::lock(&connection.credential).is_some();
        let outgoing = tokio::select! {
            message = engine.next() => match message {
                Some(message) => outgoing(&connection, message),
                None => break,
            },
            Some(message) = injected.recv() => message,
            () = &mut init_deadline, if !initialised => {
                Message::close_with(INIT_TIMEOUT, "Connection initialisation timeout")
            }
            _ = recheck.tick(), if initialised => match still_allowed(&state, &connection).await {
                Some(close) => close,
                None => continue,
            },
        };
        let closing = matches!(outgoing, Message::Close(_));
        if sink.send(outgoing).await.is_err() || closing {
            break;
        }
    }
}

/// Lets a client message through, or refuses a subscription over the cap with an `error`
/// message for its id (the connection stays open).
fn admit(
    connection: &Connection,
    inject: &mpsc::UnboundedSender<Message>,
    max_subscriptions: usize,
    message: Message,
) -> Option<Message> {
    let parsed: Option<Value> = match &message {
        Message::Text(text) => serde_json::from_str(text).ok(),
        Message::Binary(bytes) => serde_json::from_slice(bytes).ok(),
        _ => None,
    };
    let Some(parsed) = parsed else {
        return Some(message);
    };
    let id = parsed["id"].as_str().map(str::to_owned);
    match (parsed["type"].as_str(), id) {
        (Some("subscribe" | "start"), Some(id)) => {
            let mut active = Connection::lock(&connection.active);
            if active.contains_key(&id) {
                return Some(message);
            }
            let refusal = |message: String, code: &str| {
                json!({
                    "id": id,
                    "type": "error",
                    "payload": [{ "message": message, "extensions": { "code": code } }],
                })
            };
            if active.len() >= max_subscriptions {
                let refusal = refusal(
                    format!(
                        "a connection may run at most {max_subscriptions} subscriptions at once"
                    ),
                    code::BAD_USER_INPUT,
                );
                let _ = inject.send(Message::text(refusal.to_string()));
                return None;
            }
            match connection.budget.take(&connection.address) {
                Ok(unit) => {
                    active.insert(id, unit);
                }
                Err(exhausted) => {
                    let refusal = refusal(exhausted.message(), code::RATE_LIMITED);
                    let _ = inject.send(Message::text(refusal.to_string()));
                    return None;
                }
            }
        }
        (Some("complete" | "stop"), Some(id)) => {
            Connection::lock(&connection.active).remove(&id);
        }
        _ => {}
    }
    Some(message)
}

/// Turns the engine's message into a frame, forgetting subscriptions that ended, and giving a
/// refused `connection_init` its graphql-transport-ws close code.
fn outgoing(connection: &Connection, message: WsMessage) -> Message {
    match message {
        WsMessage::Text(text) => {
            if let Ok(parsed) = serde_json::from_str::<Value>(&text)
                && matches!(parsed["type"].as_str(), Some("complete" | "error"))
                && let Some(id) = parsed["id"].as_str()
            {
                Connection::lock(&connection.active).remove(id);
            }
            Message::text(text)
        }
        WsMessage::Close(code, reason) => match Connection::lock(&connection.refused).take() {
            Some((code, reason)) => Message::close_with(code, reason),
            None => Message::close_with(code, reason),
        },
    }
}

/// Authenticates the connection again; `Some(close)` when its credential no longer holds.
async fn still_allowed(state: &AppState, connection: &Connection) -> Option<Message> {
    let credential = Connection::lock(&connection.credential)
        .clone()
        .unwrap_or_default();
    match authenticate(&state.authenticator(), &credential).await {
        Ok(_) => None,
        Err(ApiError::Unauthenticated(reason)) => Some(Message::close_with(
            FORBIDDEN,
            format!("Forbidden: {reason}"),
        )),
        Err(err) => {
            // The database may be briefly out of reach: keep the connection, check again later.
            tracing::warn!(error = %err, "could not re-check a WebSocket connection's credential");
            None
        }
    }
}

/// The data every subscription of the connection runs with. The payload's `authorization` wins
/// over the upgrade's cookie. A credential that is present but not valid refuses the connection
/// (4403); none is anonymous. A fault of ours is logged and closes with a generic reason (4500),
/// never the cause.
async fn connection_data(
    state: AppState,
    connection: Arc<Connection>,
    payload: Value,
    address: ClientAddress,
) -> async_graphql::Result<Data> {
    let authorization = payload
        .get("authorization")
        .or_else(|| payload.get("Authorization"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let credential = match (authorization, &connection.cookie) {
        (Some(authorization), _) => Credential::Authorization(authorization),
        (None, Some(cookie)) => Credential::Cookie(cookie.clone()),
        (None, None) => Credential::None,
    };
    let viewer = match authenticate(&state.authenticator(), &credential).await {
        Ok(viewer) => viewer,
        Err(err) => {
            let refusal = match &err {
                ApiError::Unauthenticated(reason) => (FORBIDDEN, format!("Forbidden: {reason}")),
                other => {
                    tracing::error!(error = %other, "a WebSocket connection could not be authenticated");
                    (
                        INTERNAL,
                        "the server could not accept the connection; try again".to_owned(),
                    )
                }
            };
            *Connection::lock(&connection.refused) = Some(refusal.clone());
            return Err(async_graphql::Error::new(refusal.1));
        }
    };
    *Connection::lock(&connection.credential) = Some(credential);
    let mut data = Data::default();
    data.insert(state.db.clone());
    data.insert(viewer);
    data.insert(address);
    data.insert(crate::limits::SubscriptionsOnly);
    crate::schema::register_loaders(&mut data, &state.db, false);
    data.insert(state.services.clone());
    Ok(data)
}
