//! Faults the server must contain: a stuck transaction elsewhere holds up a write only until a
//! time limit, after which the writer gets a retryable `SERVICE_UNAVAILABLE`.

use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, DbBackend, Statement, TransactionTrait};
use serde_json::json;
use tests::TestApp;

const SIGN_UP: &str = "mutation($input: SignUpInput!) { signUp(input: $input) { account { id } } }";

#[tokio::test]
async fn a_transaction_stuck_on_the_write_lock_holds_other_writers_only_until_the_timeout() {
    let app = TestApp::with_config(|config| {
        config.db_timeouts.lock = Duration::from_millis(300);
    })
    .await;
    if app.backend() == DbBackend::Postgres {
        // PostgreSQL has no database-wide write lock, and writers share no row any more (see
        // the tests below).
        return;
    }
    // Another process froze mid-transaction while holding SQLite's write lock.
    let stuck = app.db().begin().await.expect("begin");
    stuck
        .execute_raw(Statement::from_string(
            app.backend(),
            "UPDATE audit_head SET seq = seq WHERE id = 1",
        ))
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
    // SQLite gives up at its busy timeout (5 s).
    assert!(
        waited < Duration::from_secs(8),
        "the writer waited {waited:?}"
    );

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
async fn a_replica_frozen_holding_the_old_audit_head_or_an_uncommitted_entry_holds_no_writer_back()
{
    let app = TestApp::new().await;
    if app.backend() != DbBackend::Postgres {
        // SQLite has one writer at a time by design (the test above).
        return;
    }
    // One frozen replica holds the row every commit used to take; another froze after its
    // command inserted its audit entry, before committing.
    let head = app.db().begin().await.expect("begin");
    head.execute_raw(Statement::from_string(
        app.backend(),
        "SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE",
    ))
    .await
    .expect("take the old head");
    let frozen = app.db().begin().await.expect("begin");
    frozen
        .execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "INSERT INTO audit_events (seq, id, occurred_at, actor_kind, actor_id, action, \
             subject_kind, subject_id, summary, prev_hash, hash) VALUES (nextval('audit_events_seq'), \
             $1, now(), 'SYSTEM', NULL, 'role.granted', 'Account', $2, '{}', '', '')",
            [uuid::Uuid::new_v4().into(), uuid::Uuid::new_v4().into()],
        ))
        .await
        .expect("insert an entry, as a command's commit does");

    // Every write elsewhere goes through at once, and is sealed without waiting for them.
    let mut slowest = Duration::ZERO;
    for n in 0..10 {
        let started = Instant::now();
        let response = app
            .gql(
                SIGN_UP,
                json!({ "input": { "email": format!("p{n}@example.org"), "password": "correct horse battery", "displayName": "P" } }),
            )
            .await;
        assert!(response.data()["signUp"]["account"]["id"].is_string());
        slowest = slowest.max(started.elapsed());
    }
    assert!(
        slowest < Duration::from_secs(1),
        "the slowest write took {slowest:?}"
    );
    app.sealed().await;

    // When the frozen one wakes and commits, its entry goes into a later checkpoint.
    frozen.commit().await.expect("commit");
    head.rollback().await.expect("rollback");
    app.sealed().await;
    let pending: Vec<entity::audit_event::Model> = {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        entity::prelude::AuditEvent::find()
            .filter(entity::audit_event::Column::Action.eq(api::audit::AuditAction::RoleGranted))
            .all(app.db())
            .await
            .expect("read")
    };
    assert_eq!(pending.len(), 1);
    let latest = api::log::store::latest(app.db())
        .await
        .expect("read")
        .expect("a checkpoint");
    assert_eq!(pending[0].leaf_index, Some(latest.size - 1));
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

    // Another writer's audited change goes through at once: no writer takes a shared row.
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

    // The stuck one, when it wakes, still commits, and its entry is sealed after the others.
    stuck.commit().await.expect("commit");
    app.sealed().await;
    let check = api::log::store::check(app.db()).await.expect("check");
    assert_eq!(check.first_broken, None);
}
