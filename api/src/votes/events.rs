//! Tally updates fanned out to subscribers on every replica.
//!
//! On PostgreSQL a vote's transaction runs `pg_notify`, which PostgreSQL delivers at commit to
//! every replica listening, this one included; each replica passes it on to its subscribers.
//! On SQLite, a single process, the update is passed on directly after commit.

use std::time::Duration;

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, Statement,
};
use tokio::sync::broadcast;
use uuid::Uuid;

/// The PostgreSQL channel.
const CHANNEL: &str = "quorum_tally";

/// The amendments whose tallies changed.
#[derive(Clone)]
pub struct TallyEvents {
    sender: broadcast::Sender<Uuid>,
    postgres: bool,
}

impl TallyEvents {
    /// Starts listening; on PostgreSQL a background task keeps a LISTEN connection open.
    pub fn start(db: &DatabaseConnection) -> Self {
        let (sender, _) = broadcast::channel(1024);
        let postgres = db.get_database_backend() == DbBackend::Postgres;
        if postgres {
            tokio::spawn(listen(
                db.get_postgres_connection_pool().clone(),
                sender.clone(),
            ));
        }
        Self { sender, postgres }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Uuid> {
        self.sender.subscribe()
    }

    /// Announces a change from inside the transaction making it. Returns what to do after the
    /// commit: on PostgreSQL nothing, since the notification is sent at commit.
    pub async fn announce(
        &self,
        tx: &DatabaseTransaction,
        amendment: Uuid,
    ) -> Result<Announced, DbErr> {
        if self.postgres {
            tx.execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT pg_notify($1, $2)",
                [CHANNEL.into(), amendment.to_string().into()],
            ))
            .await?;
            Ok(Announced(None))
        } else {
            Ok(Announced(Some((self.sender.clone(), amendment))))
        }
    }
}

/// A local announcement waiting for the commit.
#[must_use = "call `after_commit` once the transaction committed"]
pub struct Announced(Option<(broadcast::Sender<Uuid>, Uuid)>);

impl Announced {
    pub fn after_commit(self) {
        if let Some((sender, amendment)) = self.0 {
            // No subscriber is not an error.
            let _ = sender.send(amendment);
        }
    }
}

async fn listen(pool: sea_orm::sqlx::PgPool, sender: broadcast::Sender<Uuid>) {
    use sea_orm::sqlx::postgres::PgListener;
    loop {
        let mut listener = match PgListener::connect_with(&pool).await {
            Ok(listener) => listener,
            Err(err) => {
                tracing::warn!(error = %err, "cannot LISTEN for tally updates; retrying");
                tokio::time::sleep(Duration::from_secs(2)).await;
                continue;
            }
        };
        if let Err(err) = listener.listen(CHANNEL).await {
            tracing::warn!(error = %err, "cannot LISTEN for tally updates; retrying");
            tokio::time::sleep(Duration::from_secs(2)).await;
            continue;
        }
        loop {
            match listener.recv().await {
                Ok(notification) => {
                    if let Ok(amendment) = notification.payload().parse::<Uuid>() {
                        let _ = sender.send(amendment);
                    }
                }
                Err(err) => {
                    tracing::warn!(error = %err, "tally LISTEN connection lost; reconnecting");
                    break;
                }
            }
        }
    }
}
