//! Faults the server must contain: a stuck transaction elsewhere holds up a write only until a
//! time limit, after which the writer gets a retryable `SERVICE_UNAVAILABLE`.

use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, DbBackend, Statement, TransactionTrait};
use serde_json::json;
use tests::TestApp;

const SIGN_UP: &str = "mutation($input: SignUpInput!) { signUp(input: $input) { account { id } } }";

#[tokio::test]
async fn a_transaction_stuck_on_the_audit_head_holds_other_writers_only_until_the_lock_timeout() {
    let app = TestApp::with_config(|config| {
        config.db_timeouts.lock = Duration::from_millis(300);
    })
    .await;
    // Another replica froze mid-transaction while holding the audit head (or, on SQLite, the
    // database's write lock).
    let stuck = app.db().begin().await.expect("begin");
    let lock = match app.backend() {
        DbBackend::Postgres => "SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE",
        _ => "UPDATE audit_head SET seq = seq WHERE id = 1",
    };
    stuck
        .execute_raw(Statement::from_string(app.backend(), lock))
        .await
        .expect("take the lock");

    let started = Instant::now();
    let response = app
        .gql(
            SIGN_UP,
            json!({ "input": { "email": "ada@example.org", "password": "correct horse battery", "displayName": "Ada" } }),
        )
        .await;
    let waited = started.elapsed();
    assert_eq!(response.error_code(), "SERVICE_UNAVAILABLE");
    // PostgreSQL gives up at the lock timeout; SQLite at its busy timeout (5 s).
    let limit = match app.backend() {
        DbBackend::Postgres => Duration::from_secs(3),
        _ => Duration::from_secs(8),
    };
    assert!(waited < limit, "the writer waited {waited:?}");

    // Once the stuck transaction is gone, the same write goes through.
    stuck.rollback().await.expect("rollback");
    let response = app
        .gql(
            SIGN_UP,
            json!({ "input": { "email": "ada@example.org", "password": "correct horse battery", "displayName": "Ada" } }),
        )
        .await;
    assert!(response.data()["signUp"]["account"]["id"].is_string());
}

#[tokio::test]
async fn a_writer_stuck_mid_command_does_not_hold_up_other_writers() {
    let app = TestApp::new().await;
    if app.backend() != DbBackend::Postgres {
        // SQLite has one writer at a time by design: a stuck writer holds the database until
        // the busy timeout, as the test above shows.
        return;
    }
    let ada = tests::factories::a_person(&app, "Ada").await;
    let ada_id = api::ids::decode(&ada.id).expect("an id").1;
    // A replica froze in the middle of a command that has already recorded its audit entry.
    let stuck = api::db::begin_write(app.db()).await.expect("begin");
    api::accounts::commands::grant_role(
        &stuck,
        api::audit::Actor::System,
        ada_id,
        api::auth::Role::Secretary,
    )
    .await
    .expect("the command runs");

    // Another writer's audited change goes through at once: the audit head is taken only at
    // commit, not held for the whole of a command.
    let started = Instant::now();
    let response = app
        .gql(
            SIGN_UP,
            json!({ "input": { "email": "grace@example.org", "password": "correct horse battery", "displayName": "Grace" } }),
        )
        .await;
    assert!(response.data()["signUp"]["account"]["id"].is_string());
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );

    // The stuck one, when it wakes, still commits with its entry chained after the others.
    stuck.commit().await.expect("commit");
    let chain = api::audit::verify_chain(app.db()).await.expect("verify");
    assert_eq!(chain.first_broken, None);
}
