//! A live value per key (an amendment's vote counts, an election's turnout), recomputed once
//! per change and fanned out to subscribers on every replica. `votes::events` and
//! `elections::events` are two feeds of this one machine, each on a channel of its own.
//!
//! On PostgreSQL the transaction making a change runs `pg_notify(channel, key)`, which
//! PostgreSQL delivers at commit to every replica listening, this one included. The listener
//! runs on a connection of its own, outside the pool, so it never takes a connection from the
//! queries; after it reconnects it tells every subscriber to re-read, since notifications sent
//! meanwhile are lost. On SQLite, a single process, the change is passed on directly after
//! commit.
//!
//! Each replica reads a key's value once per change and hands it to all of that key's
//! subscribers through one `watch` channel: a subscriber that falls behind skips to the latest
//! value instead of costing another query.

use std::{
    collections::HashMap,
    future::Future,
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement};
use tokio::sync::{broadcast, watch};
use uuid::Uuid;

use crate::{db::Tx, error::ApiResult};

/// What changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Change {
    /// The value of one key.
    Key(Uuid),
    /// Possibly anything: changes may have been missed, so every subscriber re-reads.
    Unknown,
}

/// One `watch` channel per followed key, holding its latest value.
type Followed<T> = Arc<Mutex<HashMap<Uuid, watch::Sender<Option<T>>>>>;

/// The keys whose values changed, and the latest value of each key someone follows.
pub struct ChangeFeed<T> {
    sender: broadcast::Sender<Change>,
    postgres: bool,
    channel: &'static str,
    followed: Followed<T>,
}

impl<T> Clone for ChangeFeed<T> {
    fn clone(&self) -> Self {
        Self {
            sender: self.sender.clone(),
            postgres: self.postgres,
            channel: self.channel,
            followed: self.followed.clone(),
        }
    }
}

impl<T: Clone + Send + Sync + 'static> ChangeFeed<T> {
    /// Starts the task that re-reads a followed key's value with `read` after each change and,
    /// on PostgreSQL, the LISTEN connection on `channel`. `what` names the value in log lines.
    pub fn start<F, Fut>(
        db: &DatabaseConnection,
        channel: &'static str,
        what: &'static str,
        read: F,
    ) -> Self
    where
        F: Fn(DatabaseConnection, Uuid) -> Fut + Send + 'static,
        Fut: Future<Output = ApiResult<T>> + Send + 'static,
    {
        let (sender, changes) = broadcast::channel(1024);
        let postgres = db.get_database_backend() == DbBackend::Postgres;
        if postgres {
            tokio::spawn(listen(
                crate::db::listener_pool(db),
                channel,
                what,
                sender.clone(),
            ));
        }
        let followed = Followed::default();
        tokio::spawn(reread(db.clone(), changes, followed.clone(), what, read));
        Self {
            sender,
            postgres,
            channel,
            followed,
        }
    }

    /// The latest value of `key`, updated after every change. It starts empty: the caller
    /// reads the value once itself, after following, so that no change in between is missed.
    pub fn follow(&self, key: Uuid) -> watch::Receiver<Option<T>> {
        let mut followed = self.followed.lock().unwrap_or_else(PoisonError::into_inner);
        // Forget keys nobody follows any more, so the map stays as small as the audience.
        followed.retain(|_, sender| sender.receiver_count() > 0);
        followed
            .entry(key)
            .or_insert_with(|| watch::channel(None).0)
            .subscribe()
    }

    /// Announces a change of `key` from inside the transaction making it. Returns what to do
    /// after the commit: on PostgreSQL nothing, since the notification is sent at commit.
    pub async fn announce(&self, tx: &Tx, key: Uuid) -> Result<Announced, DbErr> {
        if self.postgres {
            tx.execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT pg_notify($1, $2)",
                [self.channel.into(), key.to_string().into()],
            ))
            .await?;
            Ok(Announced(None))
        } else {
            Ok(Announced(Some((self.sender.clone(), key))))
        }
    }
}

/// A local announcement waiting for the commit.
#[must_use = "call `after_commit` once the transaction committed"]
pub struct Announced(Option<(broadcast::Sender<Change>, Uuid)>);

impl Announced {
    pub fn after_commit(self) {
        if let Some((sender, key)) = self.0 {
            // No subscriber is not an error.
            let _ = sender.send(Change::Key(key));
        }
    }
}

/// Reads a followed key's value once per change and hands it to its subscribers; forgets keys
/// nobody follows any more.
async fn reread<T, F, Fut>(
    db: DatabaseConnection,
    mut changes: broadcast::Receiver<Change>,
    followed: Followed<T>,
    what: &'static str,
    read: F,
) where
    F: Fn(DatabaseConnection, Uuid) -> Fut,
    Fut: Future<Output = ApiResult<T>>,
{
    loop {
        let wanted: Vec<Uuid> = match changes.recv().await {
            Ok(Change::Key(key)) => vec![key],
            // Missed changes (a lagging receiver or a lost LISTEN connection): re-read them all.
            Ok(Change::Unknown) | Err(broadcast::error::RecvError::Lagged(_)) => {
                let mut map = followed.lock().unwrap_or_else(PoisonError::into_inner);
                map.retain(|_, sender| sender.receiver_count() > 0);
                map.keys().copied().collect()
            }
            Err(broadcast::error::RecvError::Closed) => return,
        };
        for key in wanted {
            let sender = {
                let mut map = followed.lock().unwrap_or_else(PoisonError::into_inner);
                match map.get(&key) {
                    Some(sender) if sender.receiver_count() > 0 => sender.clone(),
                    Some(_) => {
                        map.remove(&key);
                        continue;
                    }
                    None => continue,
                }
            };
            match read(db.clone(), key).await {
                Ok(value) => {
                    sender.send_replace(Some(value));
                }
                Err(err) => {
                    tracing::warn!(error = %err, %key, "cannot read the live {what}");
                }
            }
        }
    }
}

async fn listen(
    pool: sea_orm::sqlx::PgPool,
    channel: &'static str,
    what: &'static str,
    sender: broadcast::Sender<Change>,
) {
    use sea_orm::sqlx::postgres::PgListener;
    loop {
        let mut listener = match PgListener::connect_with(&pool).await {
            Ok(listener) => listener,
            Err(err) => {
                tracing::warn!(error = %err, "cannot LISTEN for {what} updates; retrying");
                tokio::time::sleep(Duration::from_secs(2)).await;
                continue;
            }
        };
        listener.ignore_pool_close_event(true);
        if let Err(err) = listener.listen(channel).await {
            tracing::warn!(error = %err, "cannot LISTEN for {what} updates; retrying");
            tokio::time::sleep(Duration::from_secs(2)).await;
            continue;
        }
        // Listening (again): whatever was sent before is unknown here.
        let _ = sender.send(Change::Unknown);
        loop {
            match listener.try_recv().await {
                Ok(Some(notification)) => {
                    if let Ok(key) = notification.payload().parse::<Uuid>() {
                        let _ = sender.send(Change::Key(key));
                    }
                }
                Ok(None) => {
                    // The connection dropped and the listener reconnected and listens again;
                    // notifications sent in between are lost.
                    tracing::warn!("{what} LISTEN connection was lost and restored; re-reading");
                    let _ = sender.send(Change::Unknown);
                }
                Err(err) => {
                    tracing::warn!(error = %err, "{what} LISTEN connection lost; reconnecting");
                    break;
                }
            }
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
