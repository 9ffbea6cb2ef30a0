//! Connecting to SQLite or PostgreSQL, running the migrations, and starting write transactions.

use std::time::Duration;

use crate::config::{Config, DbTimeouts};

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr, Statement,
    sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous},
};

/// How long a SQLite writer waits for another writer before giving up.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Opens the configured database's pool, with the configured size and time limits.
pub async fn open(config: &Config) -> Result<DatabaseConnection, DbErr> {
    connect_with(
        &config.database_url,
        config.db_max_connections,
        &config.db_timeouts,
    )
    .await
}

/// Opens a pool on `url` (`sqlite://…` or `postgres://…`) with the default time limits.
pub async fn connect(url: &str, max_connections: u32) -> Result<DatabaseConnection, DbErr> {
    connect_with(url, max_connections, &DbTimeouts::default()).await
}

/// Opens a pool on `url`.
///
/// SQLite files are created when missing and opened in WAL mode, with a busy timeout and foreign
/// keys on, so that concurrent writers wait for each other instead of failing. Every PostgreSQL
/// connection gets the lock, statement and idle-in-transaction timeouts.
pub async fn connect_with(
    url: &str,
    max_connections: u32,
    timeouts: &DbTimeouts,
) -> Result<DatabaseConnection, DbErr> {
    let settings = [
        ("lock_timeout", timeouts.lock),
        ("statement_timeout", timeouts.statement),
        (
            "idle_in_transaction_session_timeout",
            timeouts.idle_in_transaction,
        ),
    ]
    .map(|(name, limit)| (name, format!("{}ms", limit.as_millis())));
    let mut options = ConnectOptions::new(url);
    options
        .max_connections(max_connections)
        .min_connections(0)
        .acquire_timeout(Duration::from_secs(5))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|opts| {
            opts.create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(SQLITE_BUSY_TIMEOUT)
                .foreign_keys(true)
        })
        .map_sqlx_postgres_opts(move |opts| opts.options(settings.clone()));
    Database::connect(options).await
}

/// SQL statements this process has run through connections given to [`count_statements`].
static STATEMENTS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Counts every statement `db` runs, for `quorum_sql_statements_total` on `/metrics`: one atomic
/// add per statement. Call it before the connection is cloned.
pub fn count_statements(db: &mut DatabaseConnection) {
    db.set_metric_callback(|_| {
        STATEMENTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    });
}

/// How many statements [`count_statements`] has seen.
pub fn statements_run() -> u64 {
    STATEMENTS.load(std::sync::atomic::Ordering::Relaxed)
}

/// Applies every pending migration.
///
/// On SQLite they run over one connection of their own: a statement that another pooled
/// connection prepared before a migration altered its table would read the old columns
/// (`ColumnNotFound` at start-up, seen under load).
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    if db.get_database_backend() != DbBackend::Sqlite {
        return Migrator::up(db, None).await;
    }
    let options = (*db.get_sqlite_connection_pool().connect_options()).clone();
    let single = sea_orm::sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .map_err(|error| DbErr::Conn(sea_orm::RuntimeErr::SqlxError(error.into())))?;
    let single = sea_orm::SqlxSqliteConnector::from_sqlx_sqlite_pool(single);
    let migrated = Migrator::up(&single, None).await;
    single.close().await?;
    migrated
}

pub use crate::audit::tx::{BeginWrite, Tx, begin_private_write, begin_write};
pub use crate::public_change::listener_pool;

/// Begins a plain write transaction for bookkeeping that nobody reads publicly (claiming
/// outbox rows): no audit entries, and its commit neither announces a change to the other
/// replicas nor makes any public-read cache stale, unlike [`Tx::commit`]. On SQLite it takes
/// the write lock up front, as [`begin_write`] does.
pub async fn begin_bookkeeping(
    db: &DatabaseConnection,
) -> Result<sea_orm::DatabaseTransaction, DbErr> {
    use sea_orm::{SqliteTransactionMode, TransactionOptions, TransactionTrait};
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    })
    .await
}

/// Serializes transactions that act on the same `key` (a sponsor, say) until they end.
///
/// PostgreSQL takes a transaction-scoped advisory lock; SQLite needs nothing more, since
/// [`begin_write`] already holds the database's single write lock.
pub async fn lock_key(tx: &impl ConnectionTrait, key: &str) -> Result<(), DbErr> {
    if tx.get_database_backend() == DbBackend::Postgres {
        tx.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
            [key.into()],
        ))
        .await?;
    }
    Ok(())
}

/// Takes the lock of `key` as [`lock_key`] does if no other transaction holds it, and says
/// whether it did: how a job runs in one replica at a time. SQLite needs nothing more, since
/// [`begin_write`] already holds the database's single write lock.
pub async fn try_lock_key(tx: &impl ConnectionTrait, key: &str) -> Result<bool, DbErr> {
    if tx.get_database_backend() != DbBackend::Postgres {
        return Ok(true);
    }
    let row = tx
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS locked",
            [key.into()],
        ))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("pg_try_advisory_xact_lock returned no row".into()))?;
    row.try_get::<bool>("", "locked")
}

/// Takes the locks of `keys` as [`lock_key`] does, in their sorted order (the order every
/// caller taking several uses, so two never wait for each other), a thousand a statement.
pub async fn lock_keys(tx: &impl ConnectionTrait, keys: Vec<&str>) -> Result<(), DbErr> {
    if tx.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let mut keys = keys;
    keys.sort_unstable();
    keys.dedup();
    for chunk in keys.chunks(1_000) {
        let values: Vec<String> = (1..=chunk.len()).map(|i| format!("(${i})")).collect();
        // The sorted subquery feeds the locks one by one in its order.
        let sql = format!(
            "SELECT count(pg_advisory_xact_lock(hashtextextended(k, 0))) FROM \
             (SELECT k FROM (VALUES {}) AS v(k) ORDER BY k) AS sorted",
            values.join(", ")
        );
        tx.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            sql,
            chunk.iter().map(|key| (*key).into()),
        ))
        .await?;
    }
    Ok(())
}

/// Connections of the pool, for `/metrics`.
#[derive(Clone, Copy, Debug, Default)]
pub struct PoolUsage {
    pub in_use: u64,
    pub idle: u64,
}

/// Reads how many pooled connections are busy and idle.
pub fn pool_usage(db: &DatabaseConnection) -> PoolUsage {
    let (size, idle) = match db.get_database_backend() {
        DbBackend::Sqlite => {
            let pool = db.get_sqlite_connection_pool();
            (pool.size(), pool.num_idle())
        }
        DbBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            (pool.size(), pool.num_idle())
        }
        _ => (0, 0),
    };
    let idle = u64::try_from(idle).unwrap_or(u64::MAX);
    PoolUsage {
        in_use: u64::from(size).saturating_sub(idle),
        idle,
    }
}
