//! Prometheus metrics: GraphQL operations by name and outcome, latency, and the database pool.

use std::{collections::HashSet, sync::Mutex, time::Duration};

use prometheus::{
    Encoder, Gauge, GaugeVec, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge,
    IntGaugeVec, Opts, Registry, TextEncoder,
};

use crate::db::PoolUsage;

/// Operation names are chosen by clients; past this many distinct names, new ones count as
/// `other`, so that a client cannot grow the metrics without bound.
const MAX_OPERATION_NAMES: usize = 200;

/// The server's metrics, in a registry of their own so that tests do not share counters.
pub struct Metrics {
    registry: Registry,
    operations: IntCounterVec,
    latency: HistogramVec,
    pool_in_use: IntGauge,
    pool_idle: IntGauge,
    deliveries: IntCounterVec,
    outbox_depth: IntGaugeVec,
    outbox_oldest: GaugeVec,
    listener_up: IntGauge,
    heartbeat_age: Gauge,
    listener_stalls: IntCounter,
    known_operations: Mutex<HashSet<String>>,
    documents: IntCounterVec,
    witness_requests: IntCounterVec,
}

impl Metrics {
    pub fn new() -> Result<Self, prometheus::Error> {
        let registry = Registry::new();
        let operations = IntCounterVec::new(
            Opts::new(
                "quorum_graphql_operations_total",
                "GraphQL operations by operation name and outcome (ok or the first error code).",
            ),
            &["operation", "outcome"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "quorum_http_request_duration_seconds",
                "Time to answer an HTTP request, by route.",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ]),
            &["route"],
        )?;
        let pool_in_use = IntGauge::new(
            "quorum_db_pool_connections_in_use",
            "Database connections currently in use.",
        )?;
        let pool_idle = IntGauge::new(
            "quorum_db_pool_connections_idle",
            "Database connections open and idle.",
        )?;
        let deliveries = IntCounterVec::new(
            Opts::new(
                "quorum_notification_deliveries_total",
                "Delivery attempts of webhooks and mail by this replica, by channel and outcome \
                 (succeeded, retrying, failed).",
            ),
            &["channel", "outcome"],
        )?;
        let outbox_depth = IntGaugeVec::new(
            Opts::new(
                "quorum_outbox_pending",
                "Webhook deliveries and mail waiting to be sent, by channel.",
            ),
            &["channel"],
        )?;
        let outbox_oldest = GaugeVec::new(
            Opts::new(
                "quorum_outbox_oldest_pending_age_seconds",
                "Age of the oldest webhook delivery or mail waiting to be sent, by channel; 0 when none waits.",
            ),
            &["channel"],
        )?;
        let documents = IntCounterVec::new(
            Opts::new(
                "quorum_trusted_document_requests_total",
                "Requests that named a registered trusted document, by client and document id \
                 (only registered ids are counted, so the labels stay bounded).",
            ),
            &["client", "document"],
        )?;
        registry.register(Box::new(documents.clone()))?;
        let listener_up = IntGauge::new(
            "quorum_public_cache_listener_up",
            "1 while this replica hears the other replicas' changes (its LISTEN connection \
             listens and its heartbeat came back within the deadline, or no listener is needed); \
             0 while it serves no cached public answers for want of it.",
        )?;
        let heartbeat_age = Gauge::new(
            "quorum_public_cache_heartbeat_age_seconds",
            "How long ago the last LISTEN heartbeat heard back was sent; 0 when no listener is needed.",
        )?;
        let listener_stalls = IntCounter::new(
            "quorum_public_cache_listener_stalls_total",
            "Times the LISTEN heartbeat was found overdue.",
        )?;
        let witness_requests = IntCounterVec::new(
            Opts::new(
                "quorum_log_witness_requests_total",
                "Checkpoints sent to the audit log's witnesses, by witness and outcome \
                 (cosigned, refused, unreachable, failed).",
            ),
            &["witness", "outcome"],
        )?;
        registry.register(Box::new(witness_requests.clone()))?;
        registry.register(Box::new(listener_up.clone()))?;
        registry.register(Box::new(heartbeat_age.clone()))?;
        registry.register(Box::new(listener_stalls.clone()))?;
        registry.register(Box::new(deliveries.clone()))?;
        registry.register(Box::new(outbox_depth.clone()))?;
        registry.register(Box::new(outbox_oldest.clone()))?;
        registry.register(Box::new(operations.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(pool_in_use.clone()))?;
        registry.register(Box::new(pool_idle.clone()))?;
        Ok(Self {
            registry,
            operations,
            latency,
            pool_in_use,
            pool_idle,
            deliveries,
            outbox_depth,
            outbox_oldest,
            listener_up,
            heartbeat_age,
            listener_stalls,
            known_operations: Mutex::new(HashSet::new()),
            documents,
            witness_requests,
        })
    }

    /// Counts one executed GraphQL operation.
    pub fn record_operation(&self, operation: Option<&str>, outcome: &str) {
        let label = self.operation_label(operation);
        self.operations
            .with_label_values(&[label.as_str(), outcome])
            .inc();
    }

    /// Counts one request that named the registered document `document` of `client`.
    pub fn record_document(&self, client: &str, document: &str) {
        self.documents.with_label_values(&[client, document]).inc();
    }

    /// Records how long a request to `route` took.
    pub fn record_latency(&self, route: &str, elapsed: Duration) {
        self.latency
            .with_label_values(&[route])
            .observe(elapsed.as_secs_f64());
    }

    /// Counts one checkpoint sent to the witness named `witness`, with its `outcome`.
    pub fn record_witness_request(&self, witness: &str, outcome: &str) {
        self.witness_requests
            .with_label_values(&[witness, outcome])
            .inc();
    }

    /// Counts one delivery attempt on `channel` (`webhook`, `email`) with its `outcome`.
    pub fn record_delivery(&self, channel: &str, outcome: &str) {
        self.deliveries.with_label_values(&[channel, outcome]).inc();
    }

    /// Sets the outbox gauges of `channel`: how much waits, and the oldest wait in seconds.
    pub fn set_backlog(&self, channel: &str, pending: u64, oldest_age_seconds: f64) {
        self.outbox_depth
            .with_label_values(&[channel])
            .set(i64::try_from(pending).unwrap_or(i64::MAX));
        self.outbox_oldest
            .with_label_values(&[channel])
            .set(oldest_age_seconds.max(0.0));
    }

    /// Sets the public cache's listener metrics: whether it hears, the heartbeat's age, and the
    /// stalls counted so far.
    pub fn set_public_listener(&self, up: bool, heartbeat_age: Option<Duration>, stalls: u64) {
        self.listener_up.set(i64::from(up));
        self.heartbeat_age
            .set(heartbeat_age.map_or(0.0, |age| age.as_secs_f64()));
        self.listener_stalls
            .inc_by(stalls.saturating_sub(self.listener_stalls.get()));
    }

    /// Renders every metric in the Prometheus text format.
    pub fn render(&self, pool: PoolUsage) -> Result<String, prometheus::Error> {
        self.pool_in_use
            .set(i64::try_from(pool.in_use).unwrap_or(i64::MAX));
        self.pool_idle
            .set(i64::try_from(pool.idle).unwrap_or(i64::MAX));
        let mut buffer = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut buffer)?;
        let mut text =
            String::from_utf8(buffer).map_err(|err| prometheus::Error::Msg(err.to_string()))?;
        // Counted outside the registry, by the connection itself (see `db::count_statements`).
        text.push_str(&format!(
            "# HELP quorum_sql_statements_total SQL statements run by the server.\n\
             # TYPE quorum_sql_statements_total counter\n\
             quorum_sql_statements_total {}\n",
            crate::db::statements_run()
        ));
        Ok(text)
    }

    fn operation_label(&self, operation: Option<&str>) -> String {
        let Some(name) = operation.filter(|name| is_plain_name(name)) else {
            return "anonymous".to_owned();
        };
        let Ok(mut known) = self.known_operations.lock() else {
            return "other".to_owned();
        };
        if known.contains(name) || known.len() < MAX_OPERATION_NAMES {
            known.insert(name.to_owned());
            name.to_owned()
        } else {
            "other".to_owned()
        }
    }
}

fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}
