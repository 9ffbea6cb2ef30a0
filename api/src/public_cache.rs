//! What an anonymous caller reads of the public sponsor list and the member directory, kept in
//! memory until anything changes: whole GraphQL responses, and the list's counts.
//!
//! A cached answer is only ever the one an anonymous caller would get now. Three things make
//! it so:
//! - An anonymous request is served any entry; a request with a credential only an entry whose
//!   every root field is public whoever asks (`PUBLIC_ROOTS`, in `requests.rs`) and whose cache hints say
//!   public, and only when its credential admits those fields ([`admits`]). A response whose
//!   hints are private is kept for anonymous callers alone.
//! - Every committed write transaction ([`crate::db::Tx::commit`], through
//!   [`crate::public_change`]) makes every entry stale, on
//!   every replica: on this one at once, on the others through PostgreSQL `NOTIFY`, delivered
//!   at commit to each replica's `LISTEN` connection. A lost `LISTEN` connection empties the
//!   cache when it comes back, since notifications sent meanwhile are lost. A `LISTEN`
//!   connection can also stall without closing (its backend frozen, the socket open): each
//!   replica sends itself a heartbeat `NOTIFY` every `QUORUM_LISTEN_HEARTBEAT_MS` on a channel
//!   of its own, read by the same connection, and serves nothing from the cache while the last
//!   heartbeat it heard back was sent longer than `QUORUM_LISTEN_HEARTBEAT_DEADLINE_MS` ago.
//!   Notifications arrive in commit order, so a heartbeat heard means every change committed
//!   before it was sent has been heard too: a cached answer is never staler than the deadline.
//!   `/ready` and `/metrics` report the listener ([`PublicCache::listener`]). On SQLite the
//!   change is seen at once by every replica of the process on that file; another process
//!   writing the same file (`quorum demo-data` beside a running server) is seen at midnight.
//! - An entry belongs to the UTC day it was filled on: at midnight, when sponsorships start and
//!   lapse and memberships expire without anyone writing, every entry is stale.
//!
//! Changes are rare next to public reads, so invalidating everything on any write keeps the
//! rule simple and leaves no change of state that could forget to invalidate.

use std::{
    any::Any,
    collections::HashMap,
    future::Future,
    hash::Hash,
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicI64, AtomicU64, Ordering},
    },
    time::Duration,
};

use chrono::{Days, NaiveDate, Utc};
use sea_orm::{DatabaseConnection, DbBackend};

use uuid::Uuid;

mod requests;

pub use requests::{Cacheable, cacheable, chosen_operation};

use crate::{
    error::ApiResult,
    public_change::{CHANNEL, Database, Replica, process_id},
};

pub use crate::public_change::invalidate_database;

/// What a kept count of the public sponsor list counts: the day, and the part of the list (one
/// tier, by key or by name, or all of them).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ListCountKey {
    /// The day the list is read for.
    pub day: NaiveDate,
    /// Only sponsors at the tier with this key.
    pub tier: Option<Uuid>,
    /// Only sponsors at the tier with this key too (the tier named in `tierName`).
    pub named: Option<Uuid>,
}

/// At most this many bytes of cached responses; past it the cache starts afresh.
const MAX_BYTES: usize = 8 * 1024 * 1024;

/// When an entry was filled: the generations then and the UTC day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp {
    generation: u64,
    day: NaiveDate,
}

/// A cached GraphQL response body.
#[derive(Clone)]
pub struct CachedResponse {
    pub body: bytes::Bytes,
    /// The strong entity tag of `body`, quoted.
    pub etag: String,
    /// The answer's `max-age` when it is the same for every credential; none when only
    /// anonymous callers share it.
    pub public_max_age: Option<u32>,
}

struct Entries<K, V> {
    map: HashMap<K, (Stamp, V)>,
    bytes: usize,
}

impl<K: Hash + Eq, V: Clone> Entries<K, V> {
    fn new() -> Self {
        Self {
            map: HashMap::new(),
            bytes: 0,
        }
    }

    fn get(&mut self, key: &K, now: Stamp) -> Option<V> {
        match self.map.get(key) {
            Some((stamp, value)) if *stamp == now => Some(value.clone()),
            Some(_) => {
                self.map.remove(key);
                None
            }
            None => None,
        }
    }

    fn put(&mut self, key: K, stamp: Stamp, value: V, size: usize, now: Stamp) {
        // Only a value read under the current stamp is worth keeping.
        if stamp != now {
            return;
        }
        if self.bytes + size > MAX_BYTES {
            self.map.clear();
            self.bytes = 0;
        }
        self.bytes += size;
        self.map.insert(key, (stamp, value));
    }
}

/// How the replica checks that its `LISTEN` connection still hears.
#[derive(Clone, Copy, Debug)]
pub struct HeartbeatSettings {
    /// How often it sends itself a heartbeat.
    pub interval: Duration,
    /// How old the last heartbeat heard back may be before the cache stops serving.
    pub deadline: Duration,
}

/// Whether this replica hears the other replicas' changes, as `/ready` and `/metrics` say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Listener {
    /// No listener is needed: SQLite (one process), or the cache is off.
    NotNeeded,
    /// Listening, and the last heartbeat came back in time.
    Hearing,
    /// The `LISTEN` connection is down; it is being reconnected.
    Disconnected,
    /// Connected, but the last heartbeat heard back is older than the deadline.
    Overdue,
}

impl Listener {
    /// Whether cached answers may be served.
    pub fn healthy(self) -> bool {
        matches!(self, Listener::NotNeeded | Listener::Hearing)
    }
}

/// The heartbeat's state.
struct Heartbeat {
    settings: HeartbeatSettings,
    /// The instant the times below count from.
    epoch: std::time::Instant,
    /// When the last heartbeat heard back was sent, in milliseconds since `epoch`.
    heard: AtomicU64,
    /// Whether the heartbeat was found overdue and has not come back since.
    overdue: std::sync::atomic::AtomicBool,
    /// Times the heartbeat was found overdue.
    stalls: AtomicU64,
    /// For tests: while true the listener stops reading its connection, as a frozen backend
    /// with an open socket would.
    paused: tokio::sync::watch::Sender<bool>,
}

impl Heartbeat {
    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn age(&self) -> Duration {
        Duration::from_millis(
            self.now_ms()
                .saturating_sub(self.heard.load(Ordering::SeqCst)),
        )
    }

    fn is_overdue(&self) -> bool {
        self.age() > self.settings.deadline
    }

    /// Whether the heartbeat is overdue; the first time since it last came back, counts a stall
    /// and says so in the log.
    fn check(&self) -> bool {
        let overdue = self.is_overdue();
        if overdue && !self.overdue.swap(true, Ordering::SeqCst) {
            self.stalls.fetch_add(1, Ordering::SeqCst);
            tracing::warn!(
                age_ms = u64::try_from(self.age().as_millis()).unwrap_or(u64::MAX),
                "public-change LISTEN heartbeat overdue; public reads go to the database"
            );
        }
        overdue
    }
}

struct Inner {
    /// Off (`QUORUM_PUBLIC_CACHE=false`): nothing is kept, every read runs.
    enabled: bool,
    /// PostgreSQL: other replicas' changes arrive by `LISTEN`, checked by the heartbeat.
    postgres: bool,
    heartbeat: Heartbeat,
    /// Whether other replicas' changes reach this one: always on SQLite; on PostgreSQL only
    /// while the `LISTEN` connection listens. Nothing is served or kept otherwise, since a
    /// change announced meanwhile would go unheard.
    live: tokio::sync::watch::Sender<bool>,
    /// This replica: its id, as its notifications name it, and the changes it has seen (its
    /// own writes and the notifications of the others).
    replica: Replica,
    /// The database's changes seen by every replica of this process.
    database: Database,
    /// Days added to the real date, so that a test can see midnight pass.
    days_ahead: AtomicI64,
    responses: Mutex<Entries<String, CachedResponse>>,
    counts: Mutex<Entries<ListCountKey, u64>>,
    /// What a stored credential (an API token, an integration secret) was read as, by the hash
    /// of the credential. The values are the caller's: see [`PublicCache::credential`].
    credentials: Mutex<Entries<String, Arc<dyn Any + Send + Sync>>>,
}

/// One replica's cache of public reads.
#[derive(Clone)]
pub struct PublicCache(Arc<Inner>);

impl PublicCache {
    /// An empty cache; on PostgreSQL it also starts listening for other replicas' changes.
    /// When not `enabled` it keeps nothing.
    pub fn start(db: &DatabaseConnection, enabled: bool, heartbeat: HeartbeatSettings) -> Self {
        let postgres = db.get_database_backend() == DbBackend::Postgres;
        let cache = Self(Arc::new(Inner {
            enabled,
            postgres,
            heartbeat: Heartbeat {
                settings: heartbeat,
                epoch: std::time::Instant::now(),
                heard: AtomicU64::new(0),
                overdue: std::sync::atomic::AtomicBool::new(false),
                stalls: AtomicU64::new(0),
                paused: tokio::sync::watch::Sender::new(false),
            },
            live: tokio::sync::watch::Sender::new(!postgres),
            replica: Replica::new(),
            database: Database::of(db),
            days_ahead: AtomicI64::new(0),
            responses: Mutex::new(Entries::new()),
            counts: Mutex::new(Entries::new()),
            credentials: Mutex::new(Entries::new()),
        }));
        if enabled && postgres {
            tokio::spawn(listen(
                crate::public_change::listener_pool(db),
                Arc::downgrade(&cache.0),
            ));
            tokio::spawn(beat(
                crate::public_change::listener_pool(db),
                Arc::downgrade(&cache.0),
            ));
        }
        cache
    }

    /// Whether this replica hears the other replicas' changes now.
    pub fn listener(&self) -> Listener {
        let inner = &self.0;
        if !inner.enabled || !inner.postgres {
            Listener::NotNeeded
        } else if !*inner.live.borrow() {
            Listener::Disconnected
        } else if inner.heartbeat.check() {
            Listener::Overdue
        } else {
            Listener::Hearing
        }
    }

    /// How long ago the last heartbeat heard back was sent; `None` when no listener is needed.
    pub fn heartbeat_age(&self) -> Option<Duration> {
        (self.0.enabled && self.0.postgres).then(|| self.0.heartbeat.age())
    }

    /// Times the heartbeat was found overdue since the replica started.
    pub fn listener_stalls(&self) -> u64 {
        self.0.heartbeat.stalls.load(Ordering::SeqCst)
    }

    /// For tests: stops (`true`) or resumes the listener's reading of its connection, so that a
    /// test can stall it the way a frozen backend with an open socket does.
    pub fn pause_listener_for_tests(&self, paused: bool) {
        self.0.heartbeat.paused.send_replace(paused);
    }

    /// The UTC day the cache serves: entries of another day are stale.
    pub fn today(&self) -> NaiveDate {
        let today = Utc::now().date_naive();
        let ahead = self.0.days_ahead.load(Ordering::SeqCst);
        match u64::try_from(ahead) {
            Ok(days) => today.checked_add_days(Days::new(days)).unwrap_or(today),
            Err(_) => today,
        }
    }

    /// The stamp of what is read now. Take it before reading, so that a change committed during
    /// the read leaves what was read stale.
    pub fn stamp(&self) -> Stamp {
        Stamp {
            generation: self
                .0
                .database
                .changes()
                .wrapping_add(self.0.replica.changes()),
            day: self.today(),
        }
    }

    /// Whether entries are served and kept now.
    fn serving(&self) -> bool {
        self.0.enabled && self.listener().healthy()
    }

    /// Waits until the cache serves (on PostgreSQL, once its `LISTEN` connection listens and
    /// its heartbeat comes back), or returns at once when it is off.
    pub async fn ready(&self) {
        if !self.0.enabled {
            return;
        }
        let mut live = self.0.live.subscribe();
        let _ = live.wait_for(|live| *live).await;
        while !self.listener().healthy() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Makes every entry of this replica stale.
    pub fn invalidate(&self) {
        self.0.replica.changed();
    }

    /// Lets the cache see midnight come `days` days early: for tests of calendar changes.
    pub fn move_clock_for_tests(&self, days: i64) {
        self.0.days_ahead.fetch_add(days, Ordering::SeqCst);
    }

    /// The cached response for `key`, if it is current.
    pub fn response(&self, key: &str) -> Option<CachedResponse> {
        if !self.serving() {
            return None;
        }
        let now = self.stamp();
        lock(&self.0.responses).get(&key.to_owned(), now)
    }

    /// Keeps a response read under `stamp`.
    pub fn keep_response(&self, key: String, stamp: Stamp, response: CachedResponse) {
        if !self.serving() {
            return;
        }
        let size = key.len() + response.body.len();
        let now = self.stamp();
        lock(&self.0.responses).put(key, stamp, response, size, now);
    }

    /// The number of sponsors on the part of the list `key` names, counted by `count` only when
    /// no current count is kept.
    pub async fn list_count<F>(&self, key: ListCountKey, count: F) -> ApiResult<u64>
    where
        F: Future<Output = ApiResult<u64>>,
    {
        if !self.serving() {
            return count.await;
        }
        let stamp = self.stamp();
        if let Some(total) = lock(&self.0.counts).get(&key, stamp) {
            return Ok(total);
        }
        let total = count.await?;
        let now = self.stamp();
        lock(&self.0.counts).put(key, stamp, total, 64, now);
        Ok(total)
    }

    /// What the stored credential whose hash is `key` reads as, by `read` only when no current
    /// reading is kept. A reading is kept under the same stamp as the public answers, so any
    /// write committed on any replica (a revocation, a rotation, a role or scope changed) makes
    /// every reading stale at once, as midnight does, and none is kept or served while this
    /// replica's `LISTEN` connection may miss a change. What depends on the clock alone (a
    /// secret's expiry) the caller checks on every use.
    pub async fn credential<V, F>(&self, key: &str, read: F) -> ApiResult<V>
    where
        V: Clone + Send + Sync + 'static,
        F: Future<Output = ApiResult<V>>,
    {
        if !self.serving() {
            return read.await;
        }
        let stamp = self.stamp();
        let kept = lock(&self.0.credentials).get(&key.to_owned(), stamp);
        if let Some(value) = kept.and_then(|kept| kept.downcast_ref::<V>().cloned()) {
            return Ok(value);
        }
        let value = read.await?;
        let now = self.stamp();
        lock(&self.0.credentials).put(
            key.to_owned(),
            stamp,
            Arc::new(value.clone()),
            key.len() + 256,
            now,
        );
        Ok(value)
    }

    /// Runs `work` (a request) as this replica's: the writes it commits make this replica's
    /// entries stale at once.
    pub async fn scope<F: Future>(&self, work: F) -> F::Output {
        self.0.replica.scope(work).await
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Listens for other replicas' changes until the cache is dropped.
async fn listen(pool: sea_orm::sqlx::PgPool, cache: std::sync::Weak<Inner>) {
    use sea_orm::sqlx::postgres::PgListener;
    let stale = |cache: &std::sync::Weak<Inner>| match cache.upgrade() {
        Some(inner) => {
            inner.replica.changed();
            true
        }
        None => false,
    };
    loop {
        let mut listener = match PgListener::connect_with(&pool).await {
            Ok(listener) => listener,
            Err(err) => {
                tracing::warn!(error = %err, "cannot LISTEN for public changes; retrying");
                tokio::time::sleep(Duration::from_secs(2)).await;
                continue;
            }
        };
        listener.ignore_pool_close_event(true);
        let Some((beats, mut paused)) = cache.upgrade().map(|inner| {
            (
                heartbeat_channel(inner.replica.id),
                inner.heartbeat.paused.subscribe(),
            )
        }) else {
            return;
        };
        if let Err(err) = listener.listen_all([CHANNEL, beats.as_str()]).await {
            tracing::warn!(error = %err, "cannot LISTEN for public changes; retrying");
            tokio::time::sleep(Duration::from_secs(2)).await;
            continue;
        }
        // Listening (again): whatever changed before is unknown here.
        if !stale(&cache) {
            return;
        }
        if let Some(inner) = cache.upgrade() {
            inner.live.send_replace(true);
        }
        loop {
            // A test standing for a frozen backend: nothing is read until it resumes.
            let _ = paused.wait_for(|paused| !*paused).await;
            // Wake now and then to notice a dropped cache and end.
            match tokio::time::timeout(Duration::from_secs(30), listener.try_recv()).await {
                Err(_) => {
                    if cache.strong_count() == 0 {
                        return;
                    }
                }
                Ok(Ok(Some(notification))) => {
                    // The writer saw its own change at commit: only the others' count here.
                    let Some(inner) = cache.upgrade() else {
                        return;
                    };
                    if notification.channel() == beats {
                        heard(&inner, notification.payload());
                        continue;
                    }
                    let origin = notification.payload().parse::<uuid::Uuid>().ok();
                    if origin != Some(inner.replica.id) && origin != Some(process_id()) {
                        inner.replica.changed();
                    }
                }
                Ok(Ok(None)) => {
                    // Reconnected: notifications sent in between are lost.
                    if !stale(&cache) {
                        return;
                    }
                }
                Ok(Err(err)) => {
                    tracing::warn!(error = %err, "public-change LISTEN connection lost; reconnecting");
                    if let Some(inner) = cache.upgrade() {
                        inner.live.send_replace(false);
                    }
                    break;
                }
            }
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// The channel of this replica's heartbeat: its own, so that no replica hears another's.
fn heartbeat_channel(id: uuid::Uuid) -> String {
    format!("quorum_heartbeat_{}", id.simple())
}

/// A heartbeat came back: every change committed before it was sent has been heard.
fn heard(inner: &Inner, payload: &str) {
    let Ok(sent) = payload.parse::<u64>() else {
        return;
    };
    let heartbeat = &inner.heartbeat;
    heartbeat.heard.fetch_max(sent, Ordering::SeqCst);
    if !heartbeat.is_overdue() && heartbeat.overdue.swap(false, Ordering::SeqCst) {
        // Nothing was kept while overdue; start afresh all the same.
        inner.replica.changed();
        tracing::info!("public-change LISTEN heartbeat is back; serving cached public answers");
    }
}

/// Sends this replica a heartbeat through PostgreSQL every interval, until the cache is
/// dropped, and notes when the last one heard back is overdue. It sends on a connection of its
/// own, so that heartbeats neither wait for nor count among the queries' statements.
async fn beat(pool: sea_orm::sqlx::PgPool, cache: std::sync::Weak<Inner>) {
    let Some((interval, channel)) = cache.upgrade().map(|inner| {
        (
            inner.heartbeat.settings.interval,
            heartbeat_channel(inner.replica.id),
        )
    }) else {
        return;
    };
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let Some(inner) = cache.upgrade() else {
            return;
        };
        let heartbeat = &inner.heartbeat;
        if *inner.live.borrow() {
            heartbeat.check();
        }
        let sent = heartbeat.now_ms();
        drop(inner);
        let sent_text = sent.to_string();
        let notify = sea_orm::sqlx::query("SELECT pg_notify($1, $2)")
            .bind(channel.as_str())
            .bind(sent_text.as_str());
        if let Err(err) = tokio::time::timeout(interval, notify.execute(&pool))
            .await
            .map_err(|_| "timed out".to_owned())
            .and_then(|sent| sent.map_err(|err| err.to_string()))
        {
            tracing::warn!(error = %err, "cannot send the public-change LISTEN heartbeat");
        }
    }
}
