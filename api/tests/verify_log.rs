//! `quorum admin verify-log`, run as a process against a served instance, as a member's cron job
//! runs it: a log that grew is accepted and the kept checkpoint moves forward; a log truncated,
//! or rewritten and re-signed with the server's own key, is refused, and the kept checkpoint
//! stays. SQLite by default; PostgreSQL with `TEST_DATABASE_URL`, on a fresh database.

use std::{path::Path, time::Duration};

use api::{
    AppState,
    audit::{Actor, AuditAction, Entry, SubjectKind},
    config::Config,
};
use poem::listener::{Acceptor, Listener, TcpListener};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};

struct Served {
    url: String,
    db: DatabaseConnection,
    _dir: tempfile::TempDir,
    drop_pg: Option<(String, String)>,
}

async fn serve() -> Served {
    let dir = tempfile::tempdir().expect("a directory");
    let (database_url, drop_pg) = match std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|url| !url.is_empty())
    {
        Some(admin_url) => {
            let name = format!("quorum_test_{}", uuid::Uuid::new_v4().simple());
            let admin = Database::connect(&admin_url).await.expect("connect");
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create a database");
            admin.close().await.ok();
            let base = admin_url
                .rsplit_once('/')
                .map_or(admin_url.as_str(), |(b, _)| b);
            (format!("{base}/{name}"), Some((admin_url, name)))
        }
        None => (format!("sqlite://{}/quorum.db", dir.path().display()), None),
    };
    let mut config = Config::for_database(database_url);
    config.signing_key_file = Some(dir.path().join("signing-key.pem"));
    config.notifications.workers = false;
    config.notifications.mail_dir = dir.path().join("mail");
    config.log_seal_interval = Duration::from_millis(50);
    let db = api::db::open(&config).await.expect("open");
    api::db::migrate(&db).await.expect("migrate");
    let state = AppState::new(config, db.clone()).expect("state");
    let acceptor = TcpListener::bind("127.0.0.1:0")
        .into_acceptor()
        .await
        .expect("bind");
    let addr = acceptor
        .local_addr()
        .first()
        .and_then(|addr| addr.as_socket_addr().copied())
        .expect("an address");
    tokio::spawn(poem::Server::new_with_acceptor(acceptor).run(api::app(state)));
    Served {
        url: format!("http://{addr}"),
        db,
        _dir: dir,
        drop_pg,
    }
}

impl Served {
    async fn record(&self, count: usize, what: &str) {
        for _ in 0..count {
            let tx = api::db::begin_write(&self.db).await.expect("begin");
            api::audit::record(
                &tx,
                Entry {
                    actor: Actor::System,
                    action: AuditAction::RoleGranted,
                    subject_kind: SubjectKind::Account,
                    subject_id: uuid::Uuid::new_v4(),
                    summary: serde_json::json!({ "role": what }),
                },
            )
            .await
            .expect("record");
            tx.commit().await.expect("commit");
        }
    }

    async fn sealed(&self) {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while !api::log::sealer::caught_up(&self.db).await.expect("read") {
            assert!(std::time::Instant::now() < deadline, "not sealed in 20 s");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn sql(&self, statement: &str) {
        self.db
            .execute_unprepared(statement)
            .await
            .unwrap_or_else(|err| panic!("{statement}: {err}"));
    }

    /// What an operator with the database and the server's key can do: forget the tree, so the
    /// sealer builds and signs it again from the entries as they now are.
    async fn reseal_from_scratch(&self) {
        self.sql("DELETE FROM log_checkpoints").await;
        self.sql("DELETE FROM log_nodes").await;
        self.sql("UPDATE audit_events SET leaf_index = NULL").await;
        self.sealed().await;
    }

    async fn drop_database(self) {
        if let Some((admin_url, name)) = self.drop_pg {
            self.db.close().await.ok();
            if let Ok(admin) = Database::connect(&admin_url).await {
                admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await
                    .ok();
            }
        }
    }
}

async fn verify_log(url: &str, file: &Path, key: Option<&str>) -> (bool, String) {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_quorum"));
    command
        .args(["admin", "verify-log", "--url", url, "--checkpoint"])
        .arg(file)
        .env("QUORUM_LOG_FORMAT", "text");
    if let Some(key) = key {
        command.args(["--key", key]);
    }
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("join")
        .expect("run quorum");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

async fn size_in(file: &Path) -> u64 {
    let note = std::fs::read_to_string(file).expect("the kept checkpoint");
    note.lines()
        .nth(1)
        .expect("a size")
        .parse()
        .expect("a number")
}

#[tokio::test]
async fn verify_log_accepts_growth_and_refuses_a_truncated_or_rewritten_log() {
    let served = serve().await;
    let file = served._dir.path().join("kept-checkpoint");
    served.record(5, "SECRETARY").await;
    served.sealed().await;

    // The first run keeps what it finds; the next, with the published key, sees growth.
    let (ok, out) = verify_log(&served.url, &file, None).await;
    assert!(ok, "{out}");
    assert_eq!(size_in(&file).await, 5);
    let key = reqwest_get(&format!("{}/log/key", served.url)).await;
    served.record(3, "TREASURER").await;
    served.sealed().await;
    let (ok, out) = verify_log(&served.url, &file, Some(key.trim())).await;
    assert!(ok, "{out}");
    assert!(out.contains("grew from 5 to 8"), "{out}");
    assert_eq!(size_in(&file).await, 8);

    // Truncated: the last three entries deleted and the tree signed again at 5.
    served
        .sql("DELETE FROM audit_events WHERE leaf_index >= 5")
        .await;
    served.reseal_from_scratch().await;
    let (ok, out) = verify_log(&served.url, &file, Some(key.trim())).await;
    assert!(!ok, "a truncated log was accepted: {out}");
    assert!(out.contains("truncated"), "{out}");
    assert_eq!(size_in(&file).await, 8, "the kept checkpoint stays");

    // Rewritten: other entries in their place, the tree as large as before and larger.
    served.record(4, "ADMIN").await;
    served.sealed().await;
    let (ok, out) = verify_log(&served.url, &file, Some(key.trim())).await;
    assert!(!ok, "a rewritten log was accepted: {out}");
    assert!(out.contains("rewritten"), "{out}");

    // Edited in place: one early entry changed, the tree rebuilt to the same size.
    let (ok, out) = verify_log(&served.url, &file.with_extension("fresh"), None).await;
    assert!(ok, "{out}");
    served
        .sql(r#"UPDATE audit_events SET summary = '{"role":"BOARD"}' WHERE leaf_index = 0"#)
        .await;
    served.reseal_from_scratch().await;
    let (ok, out) = verify_log(&served.url, &file.with_extension("fresh"), None).await;
    assert!(!ok, "an edited log was accepted: {out}");
    assert!(out.contains("rewritten"), "{out}");

    // A checkpoint signed by another key is refused outright.
    let (ok, out) = verify_log(
        &served.url,
        &file,
        Some("other/audit+00000000+AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
    )
    .await;
    assert!(!ok, "{out}");
    served.drop_database().await;
}

async fn reqwest_get(url: &str) -> String {
    reqwest::get(url)
        .await
        .expect("fetch")
        .text()
        .await
        .expect("text")
}
