//! A served instance over a fresh database (SQLite, or PostgreSQL with `TEST_DATABASE_URL`),
//! with what the log's tests do to it: record entries, wait for the sealer, change the database
//! behind the server's back, and run `quorum` as a member or witness would.

#![allow(dead_code)]

use std::{path::Path, time::Duration};

use api::{
    AppState,
    audit::{Actor, AuditAction, Entry, SubjectKind},
    config::Config,
};
use poem::listener::{Acceptor, Listener, TcpListener};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};

pub struct Served {
    pub url: String,
    pub db: DatabaseConnection,
    pub dir: tempfile::TempDir,
    drop_pg: Option<(String, String)>,
}

pub async fn serve() -> Served {
    serve_with(|_| {}).await
}

/// A served instance whose configuration `adjust` changes last.
pub async fn serve_with(adjust: impl FnOnce(&mut Config)) -> Served {
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
    adjust(&mut config);
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
        dir,
        drop_pg,
    }
}

impl Served {
    pub async fn record(&self, count: usize, what: &str) {
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

    pub async fn sealed(&self) {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while !api::log::sealer::caught_up(&self.db).await.expect("read") {
            assert!(std::time::Instant::now() < deadline, "not sealed in 20 s");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub async fn sql(&self, statement: &str) {
        self.db
            .execute_unprepared(statement)
            .await
            .unwrap_or_else(|err| panic!("{statement}: {err}"));
    }

    /// What an operator with the database and the server's key can do: forget the tree, so the
    /// sealer builds and signs it again from the entries as they now are.
    pub async fn reseal_from_scratch(&self) {
        self.sql("DELETE FROM log_checkpoints").await;
        self.sql("DELETE FROM log_nodes").await;
        self.sql("UPDATE audit_events SET leaf_index = NULL").await;
        self.sealed().await;
    }

    pub async fn drop_database(self) {
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

pub async fn verify_log(url: &str, file: &Path, key: Option<&str>) -> (bool, String) {
    verify_log_witnessed(url, file, key, &[]).await
}

/// `quorum admin verify-log`, requiring the cosignature of each of `witnesses`.
pub async fn verify_log_witnessed(
    url: &str,
    file: &Path,
    key: Option<&str>,
    witnesses: &[String],
) -> (bool, String) {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_quorum"));
    command
        .args(["admin", "verify-log", "--url", url, "--checkpoint"])
        .arg(file)
        .env("QUORUM_LOG_FORMAT", "text");
    if let Some(key) = key {
        command.args(["--key", key]);
    }
    for witness in witnesses {
        command.args(["--witness", witness]);
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

/// The body of a GET, whatever its status.
pub async fn get_text(url: &str) -> String {
    reqwest::get(url)
        .await
        .expect("fetch")
        .text()
        .await
        .expect("text")
}
