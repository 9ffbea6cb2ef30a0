//! A committed change to what the public reads: the signal every write transaction gives at its
//! commit (`audit/tx.rs`), and the counts of changes the public cache (`public_cache.rs`) compares
//! its entries against. It imports nothing of the crate, so that the transaction, below the cache,
//! can signal the cache without importing it.
//!
//! Two counts make an entry stale: the database's, which every replica of this process on it
//! shares (writes on SQLite, and writes outside a request), and each replica's own (its writes,
//! and on PostgreSQL the other replicas' `NOTIFY` on [`CHANNEL`]).

use std::{
    collections::HashMap,
    future::Future,
    sync::{
        Arc, Mutex, OnceLock, PoisonError,
        atomic::{AtomicU64, Ordering},
    },
};

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr};
use uuid::Uuid;

/// The PostgreSQL channel.
pub const CHANNEL: &str = "quorum_public";

/// Per database this process uses, the changes every replica of the process on it sees:
/// writes on SQLite, and writes outside a request.
static DATABASES: OnceLock<Mutex<HashMap<String, Arc<AtomicU64>>>> = OnceLock::new();

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Which database a connection reaches: the SQLite file, or the PostgreSQL server and database.
fn database_name(db: &DatabaseConnection) -> String {
    match db.get_database_backend() {
        DbBackend::Postgres => {
            let options = db.get_postgres_connection_pool().connect_options();
            format!(
                "postgres://{}:{}/{}",
                options.get_host(),
                options.get_port(),
                options.get_database().unwrap_or_default()
            )
        }
        _ => {
            let options = db.get_sqlite_connection_pool().connect_options();
            format!("sqlite://{}", options.get_filename().display())
        }
    }
}

/// The database a write transaction changes, as the cache knows it.
#[derive(Clone)]
pub struct Database {
    backend: DbBackend,
    generation: Arc<AtomicU64>,
}

impl Database {
    /// The database `db` reaches.
    pub fn of(db: &DatabaseConnection) -> Self {
        let name = database_name(db);
        let generation = lock(DATABASES.get_or_init(Mutex::default))
            .entry(name)
            .or_default()
            .clone();
        Self {
            backend: db.get_database_backend(),
            generation,
        }
    }

    /// The changes every replica of this process on this database has seen.
    pub fn changes(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    fn changed(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }
}

/// One replica, as its notifications name it, with the changes it has seen: its own writes and
/// the notifications of the others.
#[derive(Clone)]
pub struct Replica {
    /// Its id, the payload of its `NOTIFY`.
    pub id: Uuid,
    seen: Arc<AtomicU64>,
}

impl Replica {
    /// A replica that has seen nothing yet.
    pub fn new() -> Self {
        Self {
            id: Uuid::new_v4(),
            seen: Arc::default(),
        }
    }

    /// The changes it has seen.
    pub fn changes(&self) -> u64 {
        self.seen.load(Ordering::SeqCst)
    }

    /// It has seen one more change.
    pub fn changed(&self) {
        self.seen.fetch_add(1, Ordering::SeqCst);
    }

    /// Runs `work` (a request) as this replica's: the writes it commits count for this replica
    /// at once.
    pub async fn scope<F: Future>(&self, work: F) -> F::Output {
        WRITER.scope(self.clone(), work).await
    }
}

impl Default for Replica {
    fn default() -> Self {
        Self::new()
    }
}

tokio::task_local! {
    /// The replica whose request is running, so that its own writes make its entries stale
    /// before the commit returns, without waiting for `NOTIFY`.
    static WRITER: Replica;
}

/// This process, as the notifications of its writes outside a request name it.
static PROCESS: OnceLock<Uuid> = OnceLock::new();

/// This process's id, as the notifications of its writes outside a request name it.
pub fn process_id() -> Uuid {
    *PROCESS.get_or_init(Uuid::new_v4)
}

/// Who wrote: the replica whose request is running, or else this process.
fn origin() -> Uuid {
    WRITER
        .try_with(|replica| replica.id)
        .unwrap_or_else(|_| process_id())
}

/// Inside a write transaction, before its commit: tells the other replicas (PostgreSQL delivers
/// the notification at commit, and drops it on rollback). It names the writer, who has already
/// seen the change and ignores it.
pub async fn announce(tx: &impl ConnectionTrait) -> Result<(), DbErr> {
    if tx.get_database_backend() == DbBackend::Postgres {
        tx.execute_unprepared(&format!("NOTIFY {CHANNEL}, '{}'", origin()))
            .await?;
    }
    Ok(())
}

/// After a write transaction on `database` committed: what was cached is stale, at once, here.
/// On PostgreSQL, where other replicas hear of it by `NOTIFY`, that is the replica whose request
/// wrote (or, for a write outside a request, every replica of the process); on SQLite, every
/// replica of the process, since no notification reaches them.
pub fn committed(database: &Database) {
    let bumped_writer =
        database.backend == DbBackend::Postgres && WRITER.try_with(Replica::changed).is_ok();
    if !bumped_writer {
        database.changed();
    }
}

/// Makes every entry of every replica in this process on `db` stale: for changes made around
/// the commands, such as raw SQL in a test standing for the calendar moving on.
pub fn invalidate_database(db: &DatabaseConnection) {
    Database::of(db).changed();
}

/// A pool of one connection, apart from the application's pool, with the same settings: a
/// PostgreSQL `LISTEN` connection lives there for good, never taking a connection from the
/// queries.
pub fn listener_pool(db: &sea_orm::DatabaseConnection) -> sea_orm::sqlx::PgPool {
    let options = db.get_postgres_connection_pool().connect_options();
    sea_orm::sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .min_connections(0)
        .max_lifetime(None)
        .idle_timeout(None)
        .acquire_timeout(std::time::Duration::from_secs(5))
        .connect_lazy_with((*options).clone())
}
