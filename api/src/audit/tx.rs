//! The write transaction every command runs in. Its audit entries are staged as the command
//! records them and inserted at commit (see [`crate::audit::entry::append`]), touching no row that
//! another writer needs.

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, ExecResult,
    QueryResult, SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
};

/// A write transaction. Commands take it; its audit entries are staged as the command records
/// them and inserted at [`Tx::commit`]. No shared row is taken: the sealer puts them in the
/// Merkle tree log after the commit, so a slow or stuck writer holds no other writer back.
pub struct Tx {
    inner: DatabaseTransaction,
    /// The database written, whose public-read caches the commit makes stale.
    database: crate::public_change::Database,
    staged: std::sync::Mutex<Vec<super::entry::Staged>>,
    /// Whether the commit may have changed a public read, and so makes the caches stale.
    public: bool,
}

/// Begins a transaction that will write.
///
/// On SQLite it takes the write lock up front (`BEGIN IMMEDIATE`): a deferred transaction that
/// reads and then writes can fail at once with "database is locked" when another writer got
/// there first, and the busy timeout cannot help it.
pub async fn begin_write(db: &DatabaseConnection) -> Result<Tx, DbErr> {
    begin(db, true).await
}

/// Begins a write transaction that changes nothing anyone reads publicly: a session, a
/// password. Its commit leaves the public-read caches as they are, so that people logging in
/// all day do not make every replica read the sponsor list afresh. A command that changes
/// anything the public reads (`public_cache::CACHEABLE_ROOTS`: sponsors, the directory, tiers,
/// classes, and the names they show) must use [`begin_write`], and so must one that changes what
/// an existing stored credential reads as (revoking an API token or an integration, rotating a
/// secret: the cache keeps those readings until the next announced write,
/// `PublicCache::credential`). Creating one changes no reading.
pub async fn begin_private_write(db: &DatabaseConnection) -> Result<Tx, DbErr> {
    begin(db, false).await
}

async fn begin(db: &DatabaseConnection, public: bool) -> Result<Tx, DbErr> {
    let inner = db
        .begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..TransactionOptions::default()
        })
        .await?;
    Ok(Tx {
        inner,
        database: crate::public_change::Database::of(db),
        staged: std::sync::Mutex::default(),
        public,
    })
}

impl Tx {
    /// Keeps an audit entry until the commit inserts it.
    pub(crate) fn stage(&self, entry: super::entry::Staged) {
        self.staged
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(entry);
    }

    /// The id of the last audit entry staged about `kind` `id`: the receipt a command's payload
    /// returns, whose inclusion proof the person it concerns may fetch once it is sealed
    /// (`auditInclusionProof`). `None` when the command recorded none.
    pub fn receipt(
        &self,
        kind: entity::audit_event::SubjectKind,
        id: uuid::Uuid,
    ) -> Option<uuid::Uuid> {
        self.staged
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .rev()
            .find(|staged| staged.is_about(kind, id))
            .map(super::entry::Staged::id)
    }

    /// Inserts the staged audit entries, then commits: the change and its audit entries land
    /// together or not at all.
    pub async fn commit(self) -> crate::error::ApiResult<()> {
        let staged = std::mem::take(
            &mut *self
                .staged
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        super::entry::append(&self.inner, staged).await?;
        if !self.public {
            self.inner.commit().await?;
            return Ok(());
        }
        // Anything public may have changed: the other replicas hear of it at commit.
        crate::public_change::announce(&self.inner).await?;
        self.inner.commit().await?;
        crate::public_change::committed(&self.database);
        Ok(())
    }

    /// Abandons the transaction and its staged entries.
    pub async fn rollback(self) -> Result<(), DbErr> {
        self.inner.rollback().await
    }
}

/// A write transaction a resolver begins for one command: a plain [`Tx`], or one that did some
/// work before it was handed over (`rolls::CaughtUpTx`). The command's first parameter names
/// which, so a runner generic over it begins the one its command needs.
pub trait BeginWrite: AsRef<Tx> + Sized {
    /// Begins it.
    fn begin(db: &DatabaseConnection)
    -> impl Future<Output = crate::error::ApiResult<Self>> + Send;

    /// Commits it, as [`Tx::commit`] does.
    fn commit(self) -> impl Future<Output = crate::error::ApiResult<()>> + Send;
}

impl BeginWrite for Tx {
    async fn begin(db: &DatabaseConnection) -> crate::error::ApiResult<Self> {
        Ok(begin_write(db).await?)
    }

    async fn commit(self) -> crate::error::ApiResult<()> {
        Tx::commit(self).await
    }
}

impl AsRef<Tx> for Tx {
    fn as_ref(&self) -> &Tx {
        self
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for Tx {
    fn get_database_backend(&self) -> DbBackend {
        self.inner.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.inner.execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.inner.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.inner.query_one_raw(stmt).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.inner.query_all_raw(stmt).await
    }

    fn support_returning(&self) -> bool {
        self.inner.support_returning()
    }
}
