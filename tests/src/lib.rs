//! The test harness: the real app over a fresh, migrated database per test, driven over HTTP.
//!
//! Set `TEST_DATABASE_URL=postgres://…` to run every test on its own new PostgreSQL database,
//! dropped afterwards. Without it each test gets its own SQLite file in a temporary directory:
//! a file rather than `:memory:`, so that concurrent requests really run on several connections
//! in WAL mode, as in production.

pub mod factories;
pub mod notifications;
pub mod receivers;
pub mod ws;

use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};

use api::{AppState, config::Config};
use poem::{
    Body, EndpointExt, Response,
    endpoint::BoxEndpoint,
    http::StatusCode,
    test::{TestClient, TestResponse},
};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbBackend};
use serde_json::{Value, json};

/// One test's running application and its database.
pub struct TestApp {
    pub client: TestClient<BoxEndpoint<'static, Response>>,
    pub state: AppState,
    /// SQL statements run since the last [`TestApp::reset_statement_count`].
    statements: Arc<AtomicUsize>,
    config: std::sync::Arc<Config>,
    _database: TestDatabase,
    _keys: tempfile::TempDir,
}

impl TestApp {
    /// The app with the development defaults.
    pub async fn new() -> Self {
        Self::with_config(|_| {}).await
    }

    /// The app with settings changed by `configure`.
    pub async fn with_config(configure: impl FnOnce(&mut Config)) -> Self {
        let database = TestDatabase::create().await;
        let keys = tempfile::tempdir().expect("a directory for the signing key");
        let mut config = Config::for_database(database.url.clone());
        config.signing_key_file = Some(keys.path().join("signing-key.pem"));
        // Every request of a test comes from one address, and the stories sign up many people;
        // the sign-up limit is tested on its own with the default restored.
        config.rate_limits.sign_ups_per_address = 100_000;
        // The notification workers poll the database; a test that is about them turns them on
        // (see `notifications.rs`). Mail never lands in the working directory.
        config.notifications.workers = false;
        config.notifications.mail_dir = keys.path().join("mail");
        // The sealer puts entries into the Merkle tree log soon; tests wait for it by polling
        // (`TestApp::sealed`), never by sleeping a fixed time.
        config.log_seal_interval = std::time::Duration::from_millis(50);
        // The operator's signing key exists before the server starts, as production requires.
        api::auth::keys::SigningKeys::load_or_create(&config).expect("a signing key");
        configure(&mut config);
        let config = std::sync::Arc::new(config);
        let mut db = api::db::open(&config)
            .await
            .expect("connect to the test database");
        api::db::migrate(&db)
            .await
            .expect("migrate the test database");
        let statements = Arc::new(AtomicUsize::new(0));
        let counter = statements.clone();
        db.set_metric_callback(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
        });
        let state = AppState::new((*config).clone(), db).expect("build the app state");
        let client = TestClient::new(api::app(state.clone()).map_to_response().boxed());
        Self {
            client,
            state,
            statements,
            config,
            _database: database,
            _keys: keys,
        }
    }

    /// The app as production runs it, with settings changed by `configure`.
    pub async fn production(configure: impl FnOnce(&mut Config)) -> Self {
        Self::with_config(|config| {
            config.environment = api::config::Environment::Production;
            configure(config);
        })
        .await
    }

    /// A second replica: its own state and connections, the same database. What one replica
    /// writes, the other must see, and subscriptions must fan out between them.
    pub async fn replica(&self) -> AppState {
        let db = api::db::open(&self.config)
            .await
            .expect("connect the replica");
        AppState::new((*self.config).clone(), db).expect("build the replica's state")
    }

    /// Another replica with its own settings changed by `configure`, as a restarted or
    /// differently configured process over the same database would be.
    pub async fn replica_with(&self, configure: impl FnOnce(&mut Config)) -> AppState {
        let mut config = (*self.config).clone();
        configure(&mut config);
        let db = api::db::open(&config).await.expect("connect the replica");
        AppState::new(config, db).expect("build the replica's state")
    }

    /// The settings this app runs with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// An HTTP client for another replica's state, as a load balancer would route to it.
    pub fn client_for(state: AppState) -> TestClient<BoxEndpoint<'static, Response>> {
        TestClient::new(api::app(state).map_to_response().boxed())
    }

    /// Serves `state` on a free loopback port, for clients that need a real socket (WebSocket).
    pub async fn serve(state: AppState) -> std::net::SocketAddr {
        serve_endpoint(api::app(state)).await
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.state.db
    }

    pub fn backend(&self) -> DbBackend {
        self.state.db.get_database_backend()
    }

    /// Sends a GraphQL operation as an anonymous caller.
    pub async fn gql(&self, query: &str, variables: Value) -> Gql {
        self.gql_with(None, query, variables).await
    }

    /// Sends a GraphQL operation with `Authorization: Bearer <token>`.
    pub async fn gql_as(&self, token: &str, query: &str, variables: Value) -> Gql {
        self.gql_with(Some(token), query, variables).await
    }

    async fn gql_with(&self, token: Option<&str>, query: &str, variables: Value) -> Gql {
        let mut request = self
            .client
            .post("/graphql")
            .content_type("application/json")
            .body_json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        Gql::read(request.send().await).await
    }

    /// Sends a query as `GET /graphql?query=…` with `Authorization: Bearer <token>`, as an HTTP
    /// cache or a `curl` script would.
    pub async fn get_as(&self, token: &str, query: &str) -> Gql {
        let request = self
            .client
            .get("/graphql")
            .query("query", &query)
            .header("accept", "application/json")
            .header("authorization", format!("Bearer {token}"));
        Gql::read(request.send().await).await
    }

    /// Runs raw SQL against the test database, to set up what the API cannot (or must refuse).
    pub async fn sql(&self, statement: &str) {
        self.state
            .db
            .execute_unprepared(statement)
            .await
            .unwrap_or_else(|err| panic!("{statement}: {err}"));
        // What raw SQL stands for (often the calendar moving on) reaches the public caches as
        // a committed change or midnight would.
        api::public_cache::invalidate_database(&self.state.db);
    }

    /// The named migration steps, in the migrator's order, with a connection of their own to
    /// run them on (`step.up(&SchemaManager::new(&connection))`): a pooled connection may
    /// still read an older snapshot. For tests that take the database back to before a step
    /// or replay one over rows an older release wrote.
    pub async fn migration_steps(
        &self,
        names: &[&str],
    ) -> (DatabaseConnection, Vec<Box<dyn migration::MigrationTrait>>) {
        use migration::MigratorTrait;
        let connection = api::db::connect(&self.config.database_url, 1)
            .await
            .expect("a connection for the migration steps");
        let steps: Vec<_> = migration::Migrator::migrations()
            .into_iter()
            .filter(|m| names.contains(&m.name()))
            .collect();
        assert_eq!(steps.len(), names.len(), "every step named exists");
        (connection, steps)
    }

    /// Waits until the sealer has put every committed audit entry into a signed checkpoint
    /// (polling; at most 20 s).
    pub async fn sealed(&self) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            if api::log::sealer::caught_up(self.db())
                .await
                .expect("read the log's state")
            {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the sealer did not seal every entry within 20 s"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    pub fn reset_statement_count(&self) {
        self.statements.store(0, Ordering::SeqCst);
    }

    pub fn statement_count(&self) -> usize {
        self.statements.load(Ordering::SeqCst)
    }
}

/// A GraphQL response: the HTTP status and the parsed body.
#[derive(Debug)]
pub struct Gql {
    pub status: StatusCode,
    pub content_type: String,
    /// Every response header, for the few tests that read one (`Retry-After`, caching).
    pub headers: poem::http::HeaderMap,
    pub body: Value,
}

impl Gql {
    pub async fn read(response: TestResponse) -> Self {
        let status = response.0.status();
        let headers = response.0.headers().clone();
        let content_type = response
            .0
            .headers()
            .get("content-type")
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let bytes = response
            .0
            .into_body()
            .into_bytes()
            .await
            .expect("read the response body");
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        Self {
            status,
            content_type,
            headers,
            body,
        }
    }

    /// `data`, after asserting that there were no errors.
    pub fn data(&self) -> &Value {
        assert!(
            self.body.get("errors").is_none(),
            "expected no errors, got {:#}",
            self.body
        );
        &self.body["data"]
    }

    /// The `extensions.code` of the first error, after asserting that there is one.
    pub fn error_code(&self) -> &str {
        self.body["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("expected an error with a code, got {:#}", self.body))
    }

    /// The `extensions.field` of the first error.
    pub fn error_field(&self) -> &str {
        self.body["errors"][0]["extensions"]["field"]
            .as_str()
            .unwrap_or_else(|| panic!("expected an error naming a field, got {:#}", self.body))
    }

    /// The errors, empty when there are none.
    pub fn errors(&self) -> Vec<Value> {
        self.body["errors"].as_array().cloned().unwrap_or_default()
    }

    pub fn error_message(&self) -> &str {
        self.body["errors"][0]["message"]
            .as_str()
            .unwrap_or_default()
    }
}

/// A database that exists for one test.
struct TestDatabase {
    url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    /// The SQLite file's directory, removed on drop.
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    /// The PostgreSQL server to connect to, and the database to drop there.
    Postgres { admin_url: String, name: String },
}

impl TestDatabase {
    async fn create() -> Self {
        match std::env::var("TEST_DATABASE_URL")
            .ok()
            .filter(|url| !url.is_empty())
        {
            Some(admin_url) => Self::postgres(admin_url).await,
            None => {
                let dir = tempfile::tempdir().expect("a temporary directory");
                let url = format!("sqlite://{}/quorum-test.db", dir.path().display());
                Self {
                    url,
                    cleanup: Cleanup::Sqlite(dir),
                }
            }
        }
    }

    async fn postgres(admin_url: String) -> Self {
        let name = format!("quorum_test_{}", uuid::Uuid::new_v4().simple());
        let admin = Database::connect(&admin_url)
            .await
            .unwrap_or_else(|err| panic!("connect to TEST_DATABASE_URL {admin_url}: {err}"));
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create the test database");
        admin.close().await.ok();
        let base = admin_url
            .rsplit_once('/')
            .map_or(admin_url.as_str(), |(base, _)| base);
        Self {
            url: format!("{base}/{name}"),
            cleanup: Cleanup::Postgres { admin_url, name },
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Cleanup::Postgres { admin_url, name } = &self.cleanup else {
            return;
        };
        let (admin_url, name) = (admin_url.clone(), name.clone());
        // Drop runs inside the test's runtime, which cannot block on itself: use a thread with
        // a runtime of its own.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime to drop the test database");
            runtime.block_on(async move {
                if let Ok(admin) = Database::connect(&admin_url).await {
                    let _ = admin
                        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await;
                    admin.close().await.ok();
                }
            });
        });
        let _ = dropped.join();
    }
}

/// Serves `endpoint` on a free loopback port: the whole app, or one endpoint without the app's
/// middleware.
pub async fn serve_endpoint(endpoint: impl poem::Endpoint + 'static) -> std::net::SocketAddr {
    use poem::listener::{Acceptor, Listener, TcpListener};
    let acceptor = TcpListener::bind("127.0.0.1:0")
        .into_acceptor()
        .await
        .expect("bind a port");
    let addr = acceptor
        .local_addr()
        .first()
        .and_then(|addr| addr.as_socket_addr().copied())
        .expect("a socket address");
    tokio::spawn(poem::Server::new_with_acceptor(acceptor).run(endpoint));
    addr
}

/// A body that arrives in pieces, with no `Content-Length`: what a chunked upload looks like.
pub fn chunked_body(chunks: Vec<Vec<u8>>) -> Body {
    Body::from_bytes_stream(futures_util::stream::iter(
        chunks.into_iter().map(Ok::<_, std::io::Error>),
    ))
}
