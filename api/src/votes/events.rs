//! Tally updates fanned out to subscribers on every replica, computed once per change.
//!
//! On PostgreSQL a vote's transaction runs `pg_notify`, which PostgreSQL delivers at commit to
//! every replica listening, this one included. The listener runs on a connection of its own,
//! outside the pool, so it never takes a connection from the queries; after it reconnects it
//! tells every subscriber to re-read, since notifications sent meanwhile are lost. On SQLite, a
//! single process, the update is passed on directly after commit.
//!
//! Each replica counts an amendment's votes once per change, with aggregate queries, and hands
//! the counts to all of that amendment's subscribers through one `watch` channel: a subscriber
//! that falls behind skips to the latest counts instead of costing another query.

use crate::db::Tx;
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement};
use tokio::sync::{broadcast, watch};
use uuid::Uuid;

use crate::amendments::results::{VoteCounts, vote_counts};

/// The PostgreSQL channel.
const CHANNEL: &str = "quorum_tally";

/// What changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// The votes of one amendment.
    Amendment(Uuid),
    /// Possibly anything: updates may have been missed, so every subscriber re-reads.
    Unknown,
}

/// The amendments whose tallies changed, and the latest counts of those someone follows.
#[derive(Clone)]
pub struct TallyEvents {
    sender: broadcast::Sender<Change>,
    postgres: bool,
    followed: Followed,
}

/// One `watch` channel per followed amendment, holding its latest counts.
type Followed = Arc<Mutex<HashMap<Uuid, watch::Sender<Option<VoteCounts>>>>>;

impl TallyEvents {
    /// Starts the task that recounts on each change and, on PostgreSQL, the LISTEN connection.
    pub fn start(db: &DatabaseConnection) -> Self {
        let (sender, changes) = broadcast::channel(1024);
        let postgres = db.get_database_backend() == DbBackend::Postgres;
        if postgres {
            tokio::spawn(listen(crate::db::listener_pool(db), sender.clone()));
        }
        let followed = Followed::default();
        tokio::spawn(recount(db.clone(), changes, followed.clone()));
        Self {
            sender,
            postgres,
            followed,
        }
    }

    /// The latest counts of `amendment`, updated after every change. The value starts empty;
    /// the caller reads the counts once itself.
    pub fn follow(&self, amendment: Uuid) -> watch::Receiver<Option<VoteCounts>> {
        let mut followed = self
            .followed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Forget amendments nobody follows any more, so the map stays as small as the audience.
        followed.retain(|_, sender| sender.receiver_count() > 0);
        followed
            .entry(amendment)
            .or_insert_with(|| watch::channel(None).0)
            .subscribe()
    }

    /// Announces a change from inside the transaction making it. Returns what to do after the
    /// commit: on PostgreSQL nothing, since the notification is sent at commit.
    pub async fn announce(&self, tx: &Tx, amendment: Uuid) -> Result<Announced, DbErr> {
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
pub struct Announced(Option<(broadcast::Sender<Change>, Uuid)>);

impl Announced {
    pub fn after_commit(self) {
        if let Some((sender, amendment)) = self.0 {
            // No subscriber is not an error.
            let _ = sender.send(Change::Amendment(amendment));
        }
    }
}

/// Counts the votes once per change of a followed amendment and hands the counts to its
/// subscribers; forgets amendments nobody follows any more.
async fn recount(
    db: DatabaseConnection,
    mut changes: broadcast::Receiver<Change>,
    followed: Followed,
) {
    loop {
        let wanted: Vec<Uuid> = match changes.recv().await {
            Ok(Change::Amendment(id)) => vec![id],
            // Missed changes (a lagging receiver or a lost LISTEN connection): re-read them all.
            Ok(Change::Unknown) | Err(broadcast::error::RecvError::Lagged(_)) => {
                let mut map = followed
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                map.retain(|_, sender| sender.receiver_count() > 0);
                map.keys().copied().collect()
            }
            Err(broadcast::error::RecvError::Closed) => return,
        };
        for id in wanted {
            let sender = {
                let mut map = followed
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                match map.get(&id) {
                    Some(sender) if sender.receiver_count() > 0 => sender.clone(),
                    Some(_) => {
                        map.remove(&id);
                        continue;
                    }
                    None => continue,
                }
            };
            match vote_counts(&db, id).await {
                Ok(counts) => {
                    sender.send_replace(Some(counts));
                }
                Err(err) => {
                    tracing::warn!(error = %err, amendment = %id, "cannot count the votes for the live tally");
                }
            }
        }
    }
}

async fn listen(pool: sea_orm::sqlx::PgPool, sender: broadcast::Sender<Change>) {
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
        listener.ignore_pool_close_event(true);
        if let Err(err) = listener.listen(CHANNEL).await {
            tracing::warn!(error = %err, "cannot LISTEN for tally updates; retrying");
            tokio::time::sleep(Duration::from_secs(2)).await;
            continue;
        }
        // Listening (again): whatever was sent before is unknown here.
        let _ = sender.send(Change::Unknown);
        loop {
            match listener.try_recv().await {
                Ok(Some(notification)) => {
                    if let Ok(amendment) = notification.payload().parse::<Uuid>() {
                        let _ = sender.send(Change::Amendment(amendment));
                    }
                }
                Ok(None) => {
                    // The connection dropped and the listener reconnected and listens again;
                    // notifications sent in between are lost.
                    tracing::warn!("tally LISTEN connection was lost and restored; re-reading");
                    let _ = sender.send(Change::Unknown);
                }
                Err(err) => {
                    tracing::warn!(error = %err, "tally LISTEN connection lost; reconnecting");
                    break;
                }
            }
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
