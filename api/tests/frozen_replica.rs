//! Two replicas of the real `quorum` binary on one PostgreSQL database. One is frozen with
//! SIGSTOP while it holds a transaction open, as a paused VM or a stalled process would; the
//! other keeps serving audited writes without waiting for it (before the Merkle tree log, every
//! audited write locked one head row, and a frozen replica stopped every write for ~30 s).
//! Sealing goes on while a frozen replica holds an ordinary write open, and, when it was frozen
//! in the middle of a sealing round, resumes once its session ends.
//!
//! PostgreSQL only (`TEST_DATABASE_URL`): replicas share a PostgreSQL database, never a SQLite
//! file, whose single writer a frozen process holds by design.

use std::{
    path::Path,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use serde_json::{Value, json};
use tokio::{task::JoinHandle, time::sleep};

const PASSWORD: &str = "frozen replica password";

/// A `quorum serve` process; killed (and continued first, if frozen) when dropped.
struct Replica {
    name: &'static str,
    child: Child,
    url: String,
}

impl Replica {
    fn start(name: &'static str, database_url: &str, dir: &Path, seal_ms: u64) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .map(|addr| addr.port())
            .expect("a free port");
        // The application name tells the replicas' sessions apart in pg_stat_activity.
        let separator = if database_url.contains('?') { '&' } else { '?' };
        let child = Command::new(env!("CARGO_BIN_EXE_quorum"))
            .env(
                "DATABASE_URL",
                format!("{database_url}{separator}application_name={name}"),
            )
            .env("QUORUM_ADDR", format!("127.0.0.1:{port}"))
            .env("QUORUM_SIGNING_KEY_FILE", dir.join("signing-key.pem"))
            .env("QUORUM_MAIL_DIR", dir.join("mail"))
            .env("QUORUM_NOTIFICATION_WORKERS", "off")
            .env("QUORUM_LOG_SEAL_INTERVAL_MS", seal_ms.to_string())
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start quorum");
        Self {
            name,
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }

    async fn ready(&self) {
        let client = reqwest::Client::new();
        for _ in 0..600 {
            if let Ok(response) = client.get(format!("{}/ready", self.url)).send().await
                && response.status().is_success()
            {
                return;
            }
            sleep(Duration::from_millis(100)).await;
        }
        panic!("replica {} did not become ready", self.name);
    }

    fn signal(&self, signal: &str) {
        let sent = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(sent.success(), "kill {signal} {}", self.name);
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        self.signal("-CONT");
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

async fn graphql(url: &str, token: Option<&str>, query: &str, variables: Value) -> Value {
    let mut request = reqwest::Client::new()
        .post(format!("{url}/graphql"))
        .header("content-type", "application/json")
        .body(json!({ "query": query, "variables": variables }).to_string());
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("send");
    let body = response.bytes().await.expect("an answer");
    serde_json::from_slice(&body).expect("a JSON answer")
}

async fn sign_up(url: &str, email: &str) -> String {
    let answer = graphql(
        url,
        None,
        "mutation($i: SignUpInput!) { signUp(input: $i) { accessToken } }",
        json!({ "i": { "email": email, "password": PASSWORD, "displayName": "Writer" } }),
    )
    .await;
    answer["data"]["signUp"]["accessToken"]
        .as_str()
        .unwrap_or_else(|| panic!("sign up {email}: {answer}"))
        .to_owned()
}

/// One audited write: the person renames themselves. Its time, or a panic on any error.
async fn rename(url: &str, token: &str, name: &str) -> Duration {
    let started = Instant::now();
    let answer = graphql(
        url,
        Some(token),
        "mutation($i: UpdateProfileInput!) { updateProfile(input: $i) { account { displayName } } }",
        json!({ "i": { "displayName": name } }),
    )
    .await;
    assert_eq!(
        answer["data"]["updateProfile"]["account"]["displayName"],
        json!(name),
        "{answer}"
    );
    started.elapsed()
}

/// Writers that keep renaming themselves on `url` until aborted.
fn keep_writing(url: &str, tokens: &[String]) -> Vec<JoinHandle<()>> {
    tokens
        .iter()
        .enumerate()
        .map(|(i, token)| {
            let (url, token) = (url.to_owned(), token.clone());
            tokio::spawn(async move {
                let client = reqwest::Client::new();
                for n in 0.. {
                    let body = json!({
                        "query": "mutation($i: UpdateProfileInput!) { updateProfile(input: $i) { account { id } } }",
                        "variables": { "i": { "displayName": format!("Busy {i}.{n}") } },
                    });
                    // Requests to a frozen replica hang; the task is aborted then.
                    let _ = client
                        .post(format!("{url}/graphql"))
                        .bearer_auth(&token)
                        .header("content-type", "application/json")
                        .body(body.to_string())
                        .send()
                        .await;
                }
            })
        })
        .collect()
}

async fn one_value(db: &DatabaseConnection, sql: &str) -> Option<i64> {
    db.query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect(sql)
        .map(|row| row.try_get_by_index::<i64>(0).expect("an integer"))
}

/// The oldest backend of replica `name` with a transaction open, and whether any backend of
/// that replica holds the sealer's lock.
async fn open_transaction_of(db: &DatabaseConnection, name: &str) -> Option<(i64, bool)> {
    let pid = one_value(
        db,
        &format!(
            "SELECT pid::bigint FROM pg_stat_activity WHERE application_name = '{name}' \
             AND datname = current_database() AND xact_start IS NOT NULL \
             ORDER BY xact_start LIMIT 1"
        ),
    )
    .await?;
    Some((pid, sealer_of(db, name).await.is_some()))
}

/// The backend of replica `name` holding the sealer's lock, if one does.
async fn sealer_of(db: &DatabaseConnection, name: &str) -> Option<i64> {
    one_value(
        db,
        &format!(
            "SELECT l.pid::bigint FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid \
             WHERE a.application_name = '{name}' AND l.locktype = 'advisory' AND l.granted \
             AND ((l.classid::bigint << 32) | l.objid::bigint) = hashtextextended('log.sealer', 0) \
             LIMIT 1"
        ),
    )
    .await
}

/// Freezes `replica` until it is caught with a transaction open, in a sealing round when
/// `sealing` and outside one otherwise, continuing it and trying again until then. The pid of
/// the frozen backend (the sealer's, when `sealing`).
async fn freeze_mid_transaction(db: &DatabaseConnection, replica: &Replica, sealing: bool) -> i64 {
    for attempt in 0..2_000u64 {
        replica.signal("-STOP");
        // A statement in flight finishes in the database; the transaction stays open.
        sleep(Duration::from_millis(30)).await;
        if let Some((pid, holds_sealer)) = open_transaction_of(db, replica.name).await
            && holds_sealer == sealing
        {
            if sealing {
                return sealer_of(db, replica.name).await.unwrap_or(pid);
            }
            return pid;
        }
        replica.signal("-CONT");
        sleep(Duration::from_millis(3 + attempt % 17)).await;
    }
    panic!(
        "replica {} was never caught with a transaction open (sealing: {sealing})",
        replica.name
    );
}

/// B's writers rename themselves for `period`, each write timed.
async fn timed_writes(url: &str, tokens: &[String], period: Duration) -> Vec<Duration> {
    let until = Instant::now() + period;
    let writers = tokens.iter().enumerate().map(|(i, token)| {
        let (url, token) = (url.to_owned(), token.clone());
        tokio::spawn(async move {
            let mut times = Vec::new();
            let mut n = 0;
            while Instant::now() < until {
                n += 1;
                times.push(rename(&url, &token, &format!("Steady {i}.{n}")).await);
            }
            times
        })
    });
    let mut times = Vec::new();
    for writer in writers {
        times.extend(writer.await.expect("a writer"));
    }
    times.sort();
    times
}

fn p99(times: &[Duration]) -> Duration {
    assert!(!times.is_empty(), "no writes were timed");
    times[(times.len() * 99).div_ceil(100) - 1]
}

/// Waits until every committed audit entry is sealed, or panics after `within`.
async fn all_sealed(db: &DatabaseConnection, within: Duration, why: &str) {
    let deadline = Instant::now() + within;
    loop {
        let unsealed = unsealed(db).await;
        if unsealed == 0 {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{unsealed} entries still unsealed after {within:?}: {why}"
        );
        sleep(Duration::from_millis(50)).await;
    }
}

async fn unsealed(db: &DatabaseConnection) -> i64 {
    one_value(
        db,
        "SELECT count(*) FROM audit_events WHERE leaf_index IS NULL",
    )
    .await
    .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_frozen_replica_delays_no_write_on_the_other_and_sealing_resumes() {
    let Some(admin_url) = std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|url| url.starts_with("postgres"))
    else {
        eprintln!("frozen_replica: PostgreSQL only; set TEST_DATABASE_URL");
        return;
    };
    let name = format!("quorum_test_{}", uuid::Uuid::new_v4().simple());
    let admin = Database::connect(&admin_url).await.expect("connect");
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create a database");
    let base = admin_url
        .rsplit_once('/')
        .map_or(admin_url.as_str(), |(base, _)| base);
    let database_url = format!("{base}/{name}");
    let dir = tempfile::tempdir().expect("a directory");

    {
        // A seals often, B seldom: A is the sealer most of the time, so it can be caught mid-round.
        let a = Replica::start("replica_a", &database_url, dir.path(), 5);
        a.ready().await;
        let b = Replica::start("replica_b", &database_url, dir.path(), 200);
        b.ready().await;
        let db = Database::connect(&database_url).await.expect("connect");

        let mut a_writers = Vec::new();
        let mut b_writers = Vec::new();
        for i in 0..3 {
            a_writers.push(sign_up(&a.url, &format!("a{i}@frozen.test")).await);
            b_writers.push(sign_up(&b.url, &format!("b{i}@frozen.test")).await);
        }
        all_sealed(&db, Duration::from_secs(10), "before any freeze").await;

        // 1. A frozen inside one of its writes: B writes as fast as ever, and B seals them.
        let busy = keep_writing(&a.url, &a_writers);
        let frozen = freeze_mid_transaction(&db, &a, false).await;
        let times = timed_writes(&b.url, &b_writers, Duration::from_secs(4)).await;
        eprintln!(
            "A frozen in a write: B wrote {} times, p99 {:?}",
            times.len(),
            p99(&times)
        );
        assert!(
            p99(&times) < Duration::from_secs(1),
            "with A frozen in a write, B's p99 was {:?} over {} writes",
            p99(&times),
            times.len()
        );
        all_sealed(
            &db,
            Duration::from_secs(5),
            "B seals while A is frozen in a write",
        )
        .await;
        assert!(
            open_transaction_of(&db, "replica_a")
                .await
                .map(|(pid, _)| pid)
                == Some(frozen),
            "A's transaction stayed open throughout"
        );
        a.signal("-CONT");
        for task in busy {
            task.abort();
        }

        // 2. A frozen in the middle of a sealing round: B's writes still do not wait; what they
        // wrote waits for the seal until A's session ends (here ended as PostgreSQL's
        // idle-in-transaction limit would), and then B seals it.
        let busy = keep_writing(&a.url, &a_writers);
        let sealer = freeze_mid_transaction(&db, &a, true).await;
        let times = timed_writes(&b.url, &b_writers, Duration::from_secs(3)).await;
        eprintln!(
            "A frozen while sealing: B wrote {} times, p99 {:?}",
            times.len(),
            p99(&times)
        );
        assert!(
            p99(&times) < Duration::from_secs(1),
            "with A frozen while sealing, B's p99 was {:?} over {} writes",
            p99(&times),
            times.len()
        );
        assert!(
            unsealed(&db).await > 0,
            "nobody seals while the frozen sealer holds the lock"
        );
        db.execute_unprepared(&format!("SELECT pg_terminate_backend({sealer})"))
            .await
            .expect("end the frozen sealer's session");
        all_sealed(
            &db,
            Duration::from_secs(5),
            "B takes over sealing once A's session ended",
        )
        .await;

        // 3. A resumes: it serves writes again, and the log takes them.
        a.signal("-CONT");
        for task in busy {
            task.abort();
        }
        rename(&a.url, &a_writers[0], "Back").await;
        all_sealed(&db, Duration::from_secs(5), "after A resumed").await;
        let leaves = one_value(&db, "SELECT count(*) FROM audit_events").await;
        let size = one_value(&db, "SELECT max(size)::bigint FROM log_checkpoints").await;
        assert_eq!(size, leaves, "the latest checkpoint covers every entry");
        db.close().await.ok();
    }
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await
        .ok();
}
