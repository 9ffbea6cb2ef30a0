//! Election turnout fanned out to subscribers on every replica, counted once per change: the
//! same machinery as the amendments' live tally (`votes::events`), on a channel of its own.
//! Only the turnout travels: who voted and what was voted never do.
//!
//! On PostgreSQL a ballot's transaction runs `pg_notify`, which PostgreSQL delivers at commit to
//! every replica listening, this one included. The listener runs on a connection of its own,
//! outside the pool, so it never takes a connection from the queries; after it reconnects it
//! tells every subscriber to re-read, since notifications sent meanwhile are lost. On SQLite, a
//! single process, the update is passed on directly after commit.
//!
//! Each replica counts an election's turnout once per change and hands it to all of that
//! election's subscribers through one `watch` channel: a subscriber that falls behind skips to
//! the latest turnout instead of costing another query.

use crate::db::Tx;
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement};
use tokio::sync::{broadcast, watch};
use uuid::Uuid;

use crate::elections::types::Turnout;

/// The PostgreSQL channel.
const CHANNEL: &str = "quorum_turnout";

/// What changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// The turnout of one election.
    Election(Uuid),
    /// Possibly anything: updates may have been missed, so every subscriber re-reads.
    Unknown,
}

/// The elections whose turnout changed, and the latest turnout of those someone follows.
#[derive(Clone)]
pub struct TurnoutEvents {
    sender: broadcast::Sender<Change>,
    postgres: bool,
    followed: Followed,
}

/// One `watch` channel per followed election, holding its latest turnout.
type Followed = Arc<Mutex<HashMap<Uuid, watch::Sender<Option<Turnout>>>>>;

impl TurnoutEvents {
    /// Starts the task that recounts on each change and, on PostgreSQL, the LISTEN connection.
    pub fn start(db: &DatabaseConnection) -> Self {
        let (sender, changes) = broadcast::channel(1024);
        let postgres = db.get_database_backend() == DbBackend::Postgres;
        if postgres {
            tokio::spawn(listen(listener_pool(db), sender.clone()));
        }
        let followed = Followed::default();
        tokio::spawn(recount(db.clone(), changes, followed.clone()));
        Self {
            sender,
            postgres,
            followed,
        }
    }

    /// The latest turnout of `election`, updated after every change. The value starts empty;
    /// the caller reads the turnout once itself.
    pub fn follow(&self, election: Uuid) -> watch::Receiver<Option<Turnout>> {
        let mut followed = self
            .followed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Forget elections nobody follows any more, so the map stays as small as the audience.
        followed.retain(|_, sender| sender.receiver_count() > 0);
        followed
            .entry(election)
            .or_insert_with(|| watch::channel(None).0)
            .subscribe()
    }

    /// Announces a change from inside the transaction making it. Returns what to do after the
    /// commit: on PostgreSQL nothing, since the notification is sent at commit.
    pub async fn announce(&self, tx: &Tx, election: Uuid) -> Result<Announced, DbErr> {
        if self.postgres {
            tx.execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT pg_notify($1, $2)",
                [CHANNEL.into(), election.to_string().into()],
            ))
            .await?;
            Ok(Announced(None))
        } else {
            Ok(Announced(Some((self.sender.clone(), election))))
        }
    }
}

/// A local announcement waiting for the commit.
#[must_use = "call `after_commit` once the transaction committed"]
pub struct Announced(Option<(broadcast::Sender<Change>, Uuid)>);

impl Announced {
    pub fn after_commit(self) {
        if let Some((sender, election)) = self.0 {
            // No subscriber is not an error.
            let _ = sender.send(Change::Election(election));
        }
    }
}

/// Counts the turnout once per change of a followed election and hands it to its subscribers;
/// forgets elections nobody follows any more.
async fn recount(
    db: DatabaseConnection,
    mut changes: broadcast::Receiver<Change>,
    followed: Followed,
) {
    loop {
        let wanted: Vec<Uuid> = match changes.recv().await {
            Ok(Change::Election(id)) => vec![id],
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
            match turnout(&db, id).await {
                Ok(now) => {
                    sender.send_replace(Some(now));
                }
                Err(err) => {
                    tracing::warn!(error = %err, election = %id, "cannot count the turnout");
                }
            }
        }
    }
}

/// A pool of one connection, apart from the application's pool, with the same settings: the
/// LISTEN connection lives there for good.
fn listener_pool(db: &DatabaseConnection) -> sea_orm::sqlx::PgPool {
    let options = db.get_postgres_connection_pool().connect_options();
    sea_orm::sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .min_connections(0)
        .max_lifetime(None)
        .idle_timeout(None)
        .acquire_timeout(Duration::from_secs(5))
        .connect_lazy_with((*options).clone())
}

async fn listen(pool: sea_orm::sqlx::PgPool, sender: broadcast::Sender<Change>) {
    use sea_orm::sqlx::postgres::PgListener;
    loop {
        let mut listener = match PgListener::connect_with(&pool).await {
            Ok(listener) => listener,
            Err(err) => {
                tracing::warn!(error = %err, "cannot LISTEN for turnout updates; retrying");
                tokio::time::sleep(Duration::from_secs(2)).await;
                continue;
            }
        };
        listener.ignore_pool_close_event(true);
        if let Err(err) = listener.listen(CHANNEL).await {
            tracing::warn!(error = %err, "cannot LISTEN for turnout updates; retrying");
            tokio::time::sleep(Duration::from_secs(2)).await;
            continue;
        }
        // Listening (again): whatever was sent before is unknown here.
        let _ = sender.send(Change::Unknown);
        loop {
            match listener.try_recv().await {
                Ok(Some(notification)) => {
                    if let Ok(election) = notification.payload().parse::<Uuid>() {
                        let _ = sender.send(Change::Election(election));
                    }
                }
                Ok(None) => {
                    // The connection dropped and the listener reconnected and listens again;
                    // notifications sent in between are lost.
                    tracing::warn!("turnout LISTEN connection was lost and restored; re-reading");
                    let _ = sender.send(Change::Unknown);
                }
                Err(err) => {
                    tracing::warn!(error = %err, "turnout LISTEN connection lost; reconnecting");
                    break;
                }
            }
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// The turnout of an election now: roll entries that voted, and the roll's size.
pub async fn turnout(db: &DatabaseConnection, election: Uuid) -> crate::error::ApiResult<Turnout> {
    let row = crate::elections::commands::find(db, election).await?;
    let roll_size = crate::elections::record::FrozenRules::parse(row.rules.as_deref())
        .map_or(0, |r| r.roll_size);
    let voted = crate::elections::roll::voted(db, election).await?;
    Ok(Turnout { voted, roll_size })
}
