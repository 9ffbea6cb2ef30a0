//! `quorum admin grant-role` bootstraps the first ADMIN offline, against the configured
//! database: a fresh SQLite file, or PostgreSQL when `TEST_DATABASE_URL` is set.

use std::process::Command;

use api::{AppState, config::Config, db};
use poem::test::TestClient;
use serde_json::{Value, json};

/// A database for this test: a new SQLite file, or a new PostgreSQL database.
async fn fresh_database(dir: &std::path::Path) -> String {
    match std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|url| !url.is_empty())
    {
        None => format!("sqlite://{}/quorum.db", dir.display()),
        Some(admin_url) => {
            let name = format!("quorum_cli_{}", uuid::Uuid::new_v4().simple());
            let admin = sea_orm::Database::connect(&admin_url)
                .await
                .expect("connect");
            sea_orm::ConnectionTrait::execute_unprepared(
                &admin,
                &format!("CREATE DATABASE {name}"),
            )
            .await
            .expect("create database");
            let base = admin_url
                .rsplit_once('/')
                .map_or(admin_url.as_str(), |(b, _)| b);
            format!("{base}/{name}")
        }
    }
}

fn quorum(database_url: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_quorum"))
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run quorum")
}

#[tokio::test]
async fn grant_role_bootstraps_the_first_admin() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let database_url = fresh_database(dir.path()).await;

    // Someone signs up through the API.
    let mut config = Config::for_database(database_url.clone());
    config.notifications.mail_dir = dir.path().join("mail");
    config.signing_key_file = Some(dir.path().join("key.pem"));
    let connection = db::connect(&database_url, 2).await.expect("connect");
    db::migrate(&connection).await.expect("migrate");
    let client = TestClient::new(api::app(
        AppState::new(config, connection.clone()).expect("state"),
    ));
    let signed_up: Value = client
        .post("/graphql")
        .content_type("application/json")
        .body_json(&json!({
            "query": "mutation($input: SignUpInput!) { signUp(input: $input) { accessToken } }",
            "variables": { "input": { "email": "root@example.org", "password": "a long enough password", "displayName": "Root" } }
        }))
        .send()
        .await
        .0
        .into_body()
        .into_json()
        .await
        .expect("json");
    let token = signed_up["data"]["signUp"]["accessToken"]
        .as_str()
        .expect("token")
        .to_owned();

    // The operator grants ADMIN from the shell.
    let output = quorum(
        &database_url,
        &[
            "admin",
            "grant-role",
            "--email",
            "Root@Example.org",
            "--role",
            "ADMIN",
        ],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    // The next request sees the role.
    let viewer: Value = client
        .post("/graphql")
        .content_type("application/json")
        .header("authorization", format!("Bearer {token}"))
        .body_json(&json!({ "query": "{ viewer { roles } }" }))
        .send()
        .await
        .0
        .into_body()
        .into_json()
        .await
        .expect("json");
    assert_eq!(viewer["data"]["viewer"]["roles"], json!(["ADMIN"]));

    // Unknown accounts and roles are refused with a message, and the chain still verifies.
    let unknown = quorum(
        &database_url,
        &[
            "admin",
            "grant-role",
            "--email",
            "nobody@example.org",
            "--role",
            "ADMIN",
        ],
    );
    assert!(!unknown.status.success());
    let bad_role = quorum(
        &database_url,
        &[
            "admin",
            "grant-role",
            "--email",
            "root@example.org",
            "--role",
            "KING",
        ],
    );
    assert!(!bad_role.status.success());
    let verify = quorum(&database_url, &["admin", "verify-audit"]);
    assert!(verify.status.success());
    assert!(String::from_utf8_lossy(&verify.stdout).contains("intact"));
    connection.close().await.ok();
    if let (Ok(admin_url), Some(name)) = (
        std::env::var("TEST_DATABASE_URL"),
        database_url
            .strip_prefix("postgres")
            .and(database_url.rsplit('/').next()),
    ) && let Ok(admin) = sea_orm::Database::connect(&admin_url).await
    {
        let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        sea_orm::ConnectionTrait::execute_unprepared(&admin, &drop)
            .await
            .ok();
    }
}

#[tokio::test]
async fn demo_data_loads_a_sample_foundation_once() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let database_url = format!("sqlite://{}/quorum.db", dir.path().display());
    let first = quorum(&database_url, &["demo-data"]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(String::from_utf8_lossy(&first.stdout).contains("demo data loaded"));
    let second = quorum(&database_url, &["demo-data"]);
    assert!(String::from_utf8_lossy(&second.stdout).contains("already loaded"));

    let mut config = Config::for_database(database_url.clone());
    config.notifications.mail_dir = dir.path().join("mail");
    config.signing_key_file = Some(dir.path().join("key.pem"));
    let connection = db::connect(&database_url, 2).await.expect("connect");
    let client = TestClient::new(api::app(AppState::new(config, connection).expect("state")));
    let ask = |token: Option<String>, query: String| {
        let client = &client;
        async move {
            let mut request = client
                .post("/graphql")
                .content_type("application/json")
                .body_json(&json!({ "query": query }));
            if let Some(token) = token {
                request = request.header("authorization", format!("Bearer {token}"));
            }
            request
                .send()
                .await
                .0
                .into_body()
                .into_json::<Value>()
                .await
                .expect("json")
        }
    };
    let directory = ask(
        None,
        "{ memberships(first: 100) { totalCount } mirrors(first: 100) { totalCount } sponsors { totalCount nodes { displayName tier { name } } } }".into(),
    )
    .await;
    // 35 disclosed contributors, 4 mirror organizations and 6 disclosed sponsors; one contributor
    // and one sponsor are undisclosed.
    assert_eq!(directory["data"]["memberships"]["totalCount"], json!(45));
    // Listed: the active, disclosed sponsors, Platinum first.
    assert_eq!(directory["data"]["sponsors"]["totalCount"], json!(5));
    assert_eq!(
        directory["data"]["sponsors"]["nodes"][0],
        json!({ "displayName": "Stellar Compute", "tier": { "name": "Platinum" } })
    );
    assert_eq!(directory["data"]["mirrors"]["totalCount"], json!(8));

    let login = |email: &'static str| {
        let ask = &ask;
        async move {
            let query = format!(
                "mutation {{ logIn(input: {{ email: \"{email}\", password: \"{}\" }}) {{ accessToken }} }}",
                api::demo::DEMO_PASSWORD
            );
            ask(None, query).await["data"]["logIn"]["accessToken"]
                .as_str()
                .expect("a demo login")
                .to_owned()
        }
    };
    let membership = login("membership@demo.quorum.test").await;
    let pending = ask(
        Some(membership),
        "{ applications(status: SUBMITTED) { totalCount } memberships { totalCount } }".into(),
    )
    .await;
    assert_eq!(pending["data"]["applications"]["totalCount"], json!(3));
    assert_eq!(pending["data"]["memberships"]["totalCount"], json!(47));
    let technology = login("technology@demo.quorum.test").await;
    let mirror_queue = ask(
        Some(technology),
        "{ applications(status: SUBMITTED) { totalCount } }".into(),
    )
    .await;
    assert_eq!(mirror_queue["data"]["applications"]["totalCount"], json!(1));
    let governance = ask(
        None,
        "{ bylaws { current { number articles { title } } } discussion: amendments(status: PROPOSED) { nodes { title comments { totalCount } } } voting: amendments(status: VOTING) { nodes { title votes { yes no abstain eligibleVoters } } } }".into(),
    )
    .await;
    assert_eq!(governance["data"]["bylaws"]["current"]["number"], json!(1));
    assert_eq!(
        governance["data"]["discussion"]["nodes"][0]["comments"]["totalCount"],
        json!(2)
    );
    let votes = &governance["data"]["voting"]["nodes"][0]["votes"];
    assert_eq!(votes["yes"], json!(4));
    assert!(votes["eligibleVoters"].as_u64().expect("eligibleVoters") > 40);
    let admin = login(api::demo::DEMO_ADMIN).await;
    let chain = ask(
        Some(admin),
        "{ auditChain { intact checkedEntries } }".into(),
    )
    .await;
    assert_eq!(chain["data"]["auditChain"]["intact"], json!(true));
}
