//! GraphQL subscriptions over WebSocket at `/graphql/ws` (graphql-transport-ws), authenticated by
//! `{ "authorization": "Bearer …" }` in the `connection_init` payload.

use async_graphql::Data;
use async_graphql_poem::{GraphQLProtocol, GraphQLWebSocket};
use poem::{
    Endpoint, FromRequest, IntoResponse, Request, Response, Result, web::websocket::WebSocket,
};

use crate::{AppState, auth::viewer::authenticate, http::graphql::ClientAddress};

/// Marks the data of a WebSocket connection. Its viewer was read once, at `connection_init`,
/// so the socket serves subscriptions only: queries and mutations go to `POST /graphql`, where
/// every request is authenticated afresh.
#[derive(Clone, Copy, Debug)]
pub struct WebSocketSession;

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
        let (req, mut body) = req.split();
        let websocket = WebSocket::from_request(&req, &mut body).await?;
        let protocol = GraphQLProtocol::from_request(&req, &mut body).await?;
        let state = self.state.clone();
        Ok(websocket
            .protocols(async_graphql::http::ALL_WEBSOCKET_PROTOCOLS)
            .on_upgrade(move |stream| {
                let schema = state.schema.clone();
                GraphQLWebSocket::new(stream, schema, protocol)
                    .on_connection_init(move |payload| connection_data(state, payload, address))
                    .serve()
            })
            .into_response())
    }
}

/// The data every subscription of the connection runs with. A credential that is present but
/// not valid refuses the connection; none is anonymous.
async fn connection_data(
    state: AppState,
    payload: serde_json::Value,
    address: ClientAddress,
) -> async_graphql::Result<Data> {
    let authorization = payload
        .get("authorization")
        .or_else(|| payload.get("Authorization"))
        .and_then(|value| value.as_str());
    let viewer = authenticate(&state, authorization).await?;
    let mut data = Data::default();
    data.insert(state.db.clone());
    data.insert(viewer);
    data.insert(address);
    data.insert(WebSocketSession);
    crate::schema::register_loaders(&mut data, &state.db);
    data.insert(state);
    Ok(data)
}
