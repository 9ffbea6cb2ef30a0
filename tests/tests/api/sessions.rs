//! Browser-grade sessions: two tabs refreshing at once stay logged in, a cookie session for a
//! first-party frontend that a page on another site cannot use, and logging out from the
//! cookie or the access token alone.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use poem::{http::StatusCode, test::TestResponse};
use serde_json::{Value, json};
use tests::{
    Gql, TestApp,
    factories::{PASSWORD, Person, a_person},
    serve_endpoint,
    ws::{Received, Socket, next_message, receive, send},
};
use tokio_tungstenite::tungstenite::{self, client::IntoClientRequest, http::HeaderValue};

const VIEWER: &str = "{ viewer { id displayName } }";
const LOG_IN: &str = "mutation($input: LogInInput!) { logIn(input: $input) { accessToken refreshToken account { id } } }";
const REFRESH: &str = "mutation($input: RefreshSessionInput!) { refreshSession(input: $input) { accessToken refreshToken } }";
const LOG_OUT: &str = "mutation { logOut(input: {}) { ok } }";
const RENAME: &str =
    "mutation { updateProfile(input: { displayName: \"Mallory\" }) { account { displayName } } }";

/// The access and refresh token a refresh answered.
fn pair(response: &Gql) -> (String, String) {
    let data = &response.data()["refreshSession"];
    let token = |name: &str| data[name].as_str().expect(name).to_owned();
    (token("accessToken"), token("refreshToken"))
}

async fn refresh(app: &TestApp, refresh_token: &str) -> Gql {
    app.gql(
        REFRESH,
        json!({ "input": { "refreshToken": refresh_token } }),
    )
    .await
}

async fn viewer_id(app: &TestApp, access_token: &str) -> Value {
    app.gql_as(access_token, VIEWER, json!({})).await.data()["viewer"]["id"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_tabs_refreshing_at_once_both_stay_logged_in() {
    let app = TestApp::new().await;
    let ada = a_person(&app, "Ada").await;
    let mut refresh_token = ada.refresh_token.clone();
    for round in 0..20 {
        // Both tabs woke up with the same refresh token and send it at the same moment.
        let (tab_a, tab_b) =
            tokio::join!(refresh(&app, &refresh_token), refresh(&app, &refresh_token));
        let (a, b) = (pair(&tab_a), pair(&tab_b));
        assert_eq!(a, b, "round {round}: both tabs get the one pair issued");
        assert_ne!(a.1, refresh_token);
        let (seen_a, seen_b) = tokio::join!(viewer_id(&app, &a.0), viewer_id(&app, &b.0));
        assert_eq!(seen_a, json!(ada.id), "round {round}");
        assert_eq!(seen_b, json!(ada.id), "round {round}");
        refresh_token = a.1;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_tab_refreshing_again_while_the_other_tabs_duplicate_arrives_keeps_both_working() {
    let app = TestApp::new().await;
    let ada = a_person(&app, "Ada").await;
    // Tab A runs a step ahead: tab B's late request with the token before arrives at the same
    // moment as A's next refresh, round after round.
    let first = pair(&refresh(&app, &ada.refresh_token).await);
    let (mut ahead, mut behind) = (first.1, ada.refresh_token.clone());
    for round in 0..20 {
        let (tab_a, tab_b) = tokio::join!(refresh(&app, &ahead), refresh(&app, &behind));
        let (a, b) = (pair(&tab_a), pair(&tab_b));
        // B gets what A got one step earlier: the token A has just used.
        assert_eq!(b.1, ahead, "round {round}");
        assert_eq!(viewer_id(&app, &a.0).await, json!(ada.id), "round {round}");
        assert_eq!(viewer_id(&app, &b.0).await, json!(ada.id), "round {round}");
        (behind, ahead) = (ahead, a.1);
    }
    // Tab B catches up along the chain without being logged out.
    let caught_up = pair(&refresh(&app, &behind).await);
    assert_eq!(caught_up.1, ahead);
}

#[tokio::test]
async fn a_replay_after_the_grace_window_ends_the_session() {
    let app =
        TestApp::with_config(|config| config.refresh_reuse_grace = Duration::from_secs(1)).await;
    let ada = a_person(&app, "Ada").await;
    let (access, next) = pair(&refresh(&app, &ada.refresh_token).await);
    // Within the window, the same token answers the same pair.
    assert_eq!(
        pair(&refresh(&app, &ada.refresh_token).await),
        (access.clone(), next.clone())
    );

    tokio::time::sleep(Duration::from_millis(1500)).await;
    let replay = refresh(&app, &ada.refresh_token).await;
    assert_eq!(replay.error_code(), "UNAUTHENTICATED");
    assert!(
        replay.error_message().contains("already used"),
        "{:?}",
        replay.body
    );
    // The whole session ended: the next refresh token and the access token with it.
    assert_eq!(refresh(&app, &next).await.error_code(), "UNAUTHENTICATED");
    let viewer = app.gql_as(&access, VIEWER, json!({})).await;
    assert_eq!(viewer.status, StatusCode::UNAUTHORIZED);
}

/// A browser: it keeps the session cookie a response set, and sends it with every request.
struct Browser<'a> {
    app: &'a TestApp,
    cookie: String,
}

/// A response's `Set-Cookie` values, and its GraphQL body.
struct Answer {
    set_cookies: Vec<String>,
    gql: Gql,
}

async fn answer(response: TestResponse) -> Answer {
    let set_cookies = response
        .0
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|value| value.to_str().expect("a text header").to_owned())
        .collect();
    Answer {
        set_cookies,
        gql: Gql::read(response).await,
    }
}

/// Logs `person` in with a cookie session; returns the browser and the `Set-Cookie` it got.
async fn cookie_log_in<'a>(app: &'a TestApp, person: &Person) -> (Browser<'a>, String) {
    let response = app
        .client
        .post("/graphql")
        .content_type("application/json")
        .body_json(&json!({
            "query": LOG_IN,
            "variables": { "input": { "email": person.email, "password": PASSWORD, "session": "COOKIE" } },
        }))
        .send()
        .await;
    let logged_in = answer(response).await;
    let data = &logged_in.gql.data()["logIn"];
    assert_eq!(data["account"]["id"], json!(person.id));
    assert_eq!(
        data["accessToken"],
        Value::Null,
        "a cookie session has no tokens"
    );
    assert_eq!(data["refreshToken"], Value::Null);
    let [set_cookie] = logged_in.set_cookies.as_slice() else {
        panic!("one Set-Cookie, got {:?}", logged_in.set_cookies);
    };
    let cookie = set_cookie.split(';').next().expect("name=value").to_owned();
    (Browser { app, cookie }, set_cookie.clone())
}

impl Browser<'_> {
    /// A POST with `Content-Type: application/json`, as the frontend's `fetch` sends it.
    async fn post(&self, query: &str) -> Answer {
        let response = self
            .app
            .client
            .post("/graphql")
            .header("cookie", &self.cookie)
            .content_type("application/json")
            .body_json(&json!({ "query": query }))
            .send()
            .await;
        answer(response).await
    }

    /// A GET, with the `Quorum-CSRF` header or without it.
    async fn get(&self, query: &str, csrf: bool) -> Answer {
        let mut request = self
            .app
            .client
            .get("/graphql")
            .query("query", &query)
            .header("accept", "application/json")
            .header("cookie", &self.cookie);
        if csrf {
            request = request.header("quorum-csrf", "1");
        }
        answer(request.send().await).await
    }

    /// A POST of `body` as `content_type`, as an HTML form on another site sends it.
    async fn form_post(&self, content_type: &str, body: String, origin: Option<&str>) -> Answer {
        let mut request = self
            .app
            .client
            .post("/graphql")
            .header("cookie", &self.cookie)
            .content_type(content_type)
            .body(body);
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        answer(request.send().await).await
    }

    async fn display_name(&self) -> Value {
        self.post(VIEWER).await.gql.data()["viewer"]["displayName"].clone()
    }
}

/// Whether a `Set-Cookie` value carries `attribute`, whatever its case.
fn has(set_cookie: &str, attribute: &str) -> bool {
    set_cookie
        .split(';')
        .skip(1)
        .any(|carried| carried.trim().eq_ignore_ascii_case(attribute))
}

#[tokio::test]
async fn a_cookie_log_in_sets_an_http_only_lax_cookie_not_secure_in_development() {
    let app = TestApp::new().await;
    let ada = a_person(&app, "Ada").await;
    let (browser, set_cookie) = cookie_log_in(&app, &ada).await;
    assert!(
        browser.cookie.starts_with("quorum_session=qrc_"),
        "{set_cookie}"
    );
    for wanted in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=1209600"] {
        assert!(has(&set_cookie, wanted), "{wanted} in {set_cookie}");
    }
    assert!(!has(&set_cookie, "Secure"), "{set_cookie}");
    assert_eq!(browser.display_name().await, json!("Ada"));
}

#[tokio::test]
async fn in_production_the_session_cookie_is_secure_and_host_only() {
    let app = TestApp::production(|_| {}).await;
    let ada = a_person(&app, "Ada").await;
    let (browser, set_cookie) = cookie_log_in(&app, &ada).await;
    assert!(
        browser.cookie.starts_with("__Host-quorum_session=qrc_"),
        "{set_cookie}"
    );
    for wanted in ["HttpOnly", "SameSite=Lax", "Path=/", "Secure"] {
        assert!(has(&set_cookie, wanted), "{wanted} in {set_cookie}");
    }
    assert!(!set_cookie.contains("Domain"), "{set_cookie}");
    assert_eq!(browser.display_name().await, json!("Ada"));
}

#[tokio::test]
async fn a_cookie_session_answers_a_json_post_and_a_get_only_with_quorum_csrf() {
    let app = TestApp::new().await;
    let ada = a_person(&app, "Ada").await;
    let (browser, _) = cookie_log_in(&app, &ada).await;

    let post = browser.post(VIEWER).await;
    assert_eq!(post.gql.data()["viewer"]["id"], json!(ada.id));

    // A GET without the header could come from a link or an <img> on another site: refused,
    // and not answered as anonymous either.
    let bare = browser.get(VIEWER, false).await;
    assert_eq!(bare.gql.status, StatusCode::FORBIDDEN);
    assert_eq!(bare.gql.error_code(), "FORBIDDEN");
    assert!(
        bare.gql.error_message().contains("Quorum-CSRF"),
        "{:?}",
        bare.gql.body
    );
    assert!(bare.gql.body.get("data").is_none(), "{:?}", bare.gql.body);

    let marked = browser.get(VIEWER, true).await;
    assert_eq!(marked.gql.data()["viewer"]["id"], json!(ada.id));

    // A GET never changes state, with the header or without it.
    for csrf in [true, false] {
        let mutation = browser.get(LOG_OUT, csrf).await;
        assert!(mutation.gql.status.is_client_error(), "{:?}", mutation.gql);
        assert!(mutation.set_cookies.is_empty());
    }
    assert_eq!(browser.display_name().await, json!("Ada"));
}

#[tokio::test]
async fn a_cross_site_form_post_with_the_cookie_is_refused_and_changes_nothing() {
    let app = TestApp::new().await;
    let ada = a_person(&app, "Ada").await;
    let (browser, _) = cookie_log_in(&app, &ada).await;
    let form = format!(
        "query={}",
        RENAME
            .replace(' ', "+")
            .replace('{', "%7B")
            .replace('}', "%7D")
    );
    let text = json!({ "query": RENAME }).to_string();
    // The three content types an HTML form can send, from a page that sends no Origin (an
    // older browser) and from another site's page.
    for origin in [None, Some("https://evil.example")] {
        for (content_type, body) in [
            ("application/x-www-form-urlencoded", form.clone()),
            ("text/plain", text.clone()),
            ("multipart/form-data; boundary=x", text.clone()),
        ] {
            let refused = browser.form_post(content_type, body, origin).await;
            assert!(
                refused.gql.status.is_client_error(),
                "{content_type} from {origin:?}: {}",
                refused.gql.status
            );
            assert!(refused.gql.body.get("data").is_none());
        }
    }
    assert_eq!(browser.display_name().await, json!("Ada"));
}

#[tokio::test]
async fn the_authorization_header_wins_over_the_cookie() {
    let app = TestApp::new().await;
    let ada = a_person(&app, "Ada").await;
    let grace = a_person(&app, "Grace").await;
    let (browser, _) = cookie_log_in(&app, &ada).await;
    let send = |authorization: String| {
        app.client
            .post("/graphql")
            .header("cookie", &browser.cookie)
            .header("authorization", authorization)
            .content_type("application/json")
            .body_json(&json!({ "query": VIEWER }))
            .send()
    };
    let both = Gql::read(send(format!("Bearer {}", grace.access_token)).await).await;
    assert_eq!(both.data()["viewer"]["id"], json!(grace.id));
    // A bad header is refused: the cookie is no fallback.
    let forged = Gql::read(send("Bearer forged".to_owned()).await).await;
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_out_with_only_the_cookie_ends_the_session_its_socket_and_the_cookie() {
    let app =
        TestApp::with_config(|config| config.websocket.recheck = Duration::from_secs(1)).await;
    let ada = a_person(&app, "Ada").await;
    let (browser, _) = cookie_log_in(&app, &ada).await;
    let addr = TestApp::serve(app.state.clone()).await;
    // The frontend's own page opens the socket: the cookie authenticates it.
    let mut socket = open_with(addr, &browser.cookie, &format!("http://{addr}")).await;
    send(
        &mut socket,
        json!({ "type": "connection_init", "payload": {} }),
    )
    .await;
    assert_eq!(next_message(&mut socket).await["type"], "connection_ack");

    let out = browser.post(LOG_OUT).await;
    assert_eq!(out.gql.data()["logOut"]["ok"], json!(true));
    let [cleared] = out.set_cookies.as_slice() else {
        panic!("one Set-Cookie, got {:?}", out.set_cookies);
    };
    assert!(cleared.starts_with("quorum_session=;"), "{cleared}");
    assert!(has(cleared, "Max-Age=0"), "{cleared}");

    // A browser that kept the cookie anyway is refused, and told again to forget it.
    let after = browser.post(VIEWER).await;
    assert_eq!(after.gql.status, StatusCode::UNAUTHORIZED);
    assert_eq!(after.gql.error_code(), "UNAUTHENTICATED");
    assert!(after.set_cookies.iter().any(|c| c.contains("Max-Age=0")));
    match receive(&mut socket).await {
        Received::Closed { code, reason } => {
            assert_eq!(code, 4403);
            assert!(reason.contains("session has ended"), "{reason}");
        }
        other => panic!("expected a close, got {other:?}"),
    }
}

#[tokio::test]
async fn log_out_with_only_the_access_token_ends_that_session() {
    let app = TestApp::new().await;
    let ada = a_person(&app, "Ada").await;
    let other_device = logged_in_again(&app, &ada).await;
    let out = app.gql_as(&ada.access_token, LOG_OUT, json!({})).await;
    assert_eq!(out.data()["logOut"]["ok"], json!(true));
    let viewer = app.gql_as(&ada.access_token, VIEWER, json!({})).await;
    assert_eq!(viewer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        refresh(&app, &ada.refresh_token).await.error_code(),
        "UNAUTHENTICATED"
    );
    // Only that session: the other device stays logged in.
    assert_eq!(viewer_id(&app, &other_device).await, json!(ada.id));
    // With no session at all there is nothing to end.
    let anonymous = app.gql(LOG_OUT, json!({})).await;
    assert_eq!(anonymous.error_code(), "UNAUTHENTICATED");
}

/// A second session of `person` (another device); returns its access token.
async fn logged_in_again(app: &TestApp, person: &Person) -> String {
    let again = app
        .gql(
            LOG_IN,
            json!({ "input": { "email": person.email, "password": PASSWORD } }),
        )
        .await;
    again.data()["logIn"]["accessToken"]
        .as_str()
        .expect("an access token")
        .to_owned()
}

/// Opens `/graphql/ws` as a browser does: with its cookies and the page's `Origin`.
async fn open_with(addr: std::net::SocketAddr, cookie: &str, origin: &str) -> Socket {
    try_open_with(addr, cookie, origin)
        .await
        .unwrap_or_else(|err| panic!("connect: {err}"))
}

async fn try_open_with(
    addr: std::net::SocketAddr,
    cookie: &str,
    origin: &str,
) -> Result<Socket, tungstenite::Error> {
    let mut request = format!("ws://{addr}/graphql/ws")
        .into_client_request()
        .expect("a request");
    let headers = request.headers_mut();
    headers.insert(
        "sec-websocket-protocol",
        HeaderValue::from_static("graphql-transport-ws"),
    );
    headers.insert("cookie", HeaderValue::from_str(cookie).expect("a cookie"));
    headers.insert("origin", HeaderValue::from_str(origin).expect("an origin"));
    tokio_tungstenite::connect_async(request)
        .await
        .map(|(socket, _)| socket)
}

/// Whether the socket still answers a ping.
async fn still_open(socket: &mut Socket) -> bool {
    let ping = tungstenite::Message::text(json!({ "type": "ping" }).to_string());
    if socket.send(ping).await.is_err() {
        return false;
    }
    loop {
        match tokio::time::timeout(Duration::from_secs(5), socket.next()).await {
            Ok(Some(Ok(tungstenite::Message::Text(text)))) if text.contains("pong") => {
                return true;
            }
            Ok(Some(Ok(tungstenite::Message::Close(_)) | Err(_)) | None) | Err(_) => {
                return false;
            }
            Ok(Some(Ok(_))) => {}
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_websocket_upgrade_with_the_cookie_from_a_foreign_origin_is_not_authenticated_by_it() {
    let app =
        TestApp::with_config(|config| config.websocket.recheck = Duration::from_secs(1)).await;
    let ada = a_person(&app, "Ada").await;
    let (browser, _) = cookie_log_in(&app, &ada).await;

    // Through the whole app, another site's page is refused before the upgrade.
    let addr = TestApp::serve(app.state.clone()).await;
    match try_open_with(addr, &browser.cookie, "https://evil.example").await {
        Err(tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), StatusCode::FORBIDDEN.as_u16());
        }
        other => panic!(
            "expected the upgrade to be refused, got {:?}",
            other.map(|_| ())
        ),
    }

    // The endpoint does not rely on that: reached directly, it accepts the connection but not
    // the cookie, so the connection is anonymous and outlives the session.
    let endpoint = api::http::ws::WebSocketEndpoint::new(app.state.clone());
    let bare = serve_endpoint(poem::Route::new().at("/graphql/ws", endpoint)).await;
    let mut foreign = open_with(bare, &browser.cookie, "https://evil.example").await;
    send(
        &mut foreign,
        json!({ "type": "connection_init", "payload": {} }),
    )
    .await;
    assert_eq!(next_message(&mut foreign).await["type"], "connection_ack");
    // The session's own page, on the same endpoint, is authenticated by it.
    let mut own = open_with(bare, &browser.cookie, &format!("http://{bare}")).await;
    send(
        &mut own,
        json!({ "type": "connection_init", "payload": {} }),
    )
    .await;
    assert_eq!(next_message(&mut own).await["type"], "connection_ack");

    assert_eq!(
        browser.post(LOG_OUT).await.gql.data()["logOut"]["ok"],
        json!(true)
    );
    match receive(&mut own).await {
        Received::Closed { code, .. } => assert_eq!(code, 4403),
        other => panic!("expected the session's socket to close, got {other:?}"),
    }
    // Two rechecks later, the foreign page's socket is still open: it never was the session's.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert!(still_open(&mut foreign).await);
}
