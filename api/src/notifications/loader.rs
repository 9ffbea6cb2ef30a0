//! Batches each endpoint's events and latest deliveries, so that a list of endpoints costs the
//! same few statements however many endpoints and deliveries it shows.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use entity::{
    outbox_event::WebhookEvent,
    prelude::{WebhookDelivery, WebhookEndpointEvent},
    webhook_delivery, webhook_endpoint_event,
};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect, Statement};
use uuid::Uuid;

use crate::error::ApiError;

/// Loads each endpoint's events, by their dotted names in order.
pub struct EventsLoader(pub DatabaseConnection);

impl Loader<Uuid> for EventsLoader {
    type Value = Vec<WebhookEvent>;
    type Error = ApiError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = WebhookEndpointEvent::find()
            .filter(webhook_endpoint_event::Column::EndpointId.is_in(keys.iter().copied()))
            .all(&self.0)
            .await?;
        let mut by_endpoint: HashMap<Uuid, Self::Value> = HashMap::new();
        for row in rows {
            by_endpoint
                .entry(row.endpoint_id)
                .or_default()
                .push(row.event);
        }
        // By name, as the comma list they replaced was kept: the same on either backend's
        // collation.
        for events in by_endpoint.values_mut() {
            events.sort_by_key(|event| event.name());
        }
        Ok(by_endpoint)
    }
}

/// An endpoint's latest deliveries, newest first, and how many it has in all.
#[derive(Clone, Debug, Default)]
pub struct LatestDeliveries {
    pub rows: Vec<webhook_delivery::Model>,
    pub total: u64,
}

/// Loads the latest `n` deliveries of each endpoint, keyed by (endpoint, n): one windowed
/// statement per page size asked for, and one count.
pub struct DeliveriesLoader(pub DatabaseConnection);

impl Loader<(Uuid, u64)> for DeliveriesLoader {
    type Value = LatestDeliveries;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[(Uuid, u64)],
    ) -> Result<HashMap<(Uuid, u64), Self::Value>, Self::Error> {
        let endpoints: Vec<Uuid> = keys.iter().map(|(id, _)| *id).collect();
        let totals: HashMap<Uuid, i64> = WebhookDelivery::find()
            .select_only()
            .column(webhook_delivery::Column::EndpointId)
            .column_as(webhook_delivery::Column::Id.count(), "total")
            .filter(webhook_delivery::Column::EndpointId.is_in(endpoints.iter().copied()))
            .group_by(webhook_delivery::Column::EndpointId)
            .into_tuple::<(Uuid, i64)>()
            .all(&self.0)
            .await?
            .into_iter()
            .collect();
        let mut sizes: Vec<u64> = keys.iter().map(|(_, n)| *n).collect();
        sizes.sort_unstable();
        sizes.dedup();
        let mut found = HashMap::new();
        for size in sizes {
            let wanted: Vec<Uuid> = keys
                .iter()
                .filter(|(_, n)| *n == size)
                .map(|(id, _)| *id)
                .collect();
            let rows = latest(&self.0, &wanted, size).await?;
            let mut by_endpoint: HashMap<Uuid, Vec<webhook_delivery::Model>> = HashMap::new();
            for row in rows {
                by_endpoint.entry(row.endpoint_id).or_default().push(row);
            }
            for id in wanted {
                let rows = by_endpoint.remove(&id).unwrap_or_default();
                let total = totals
                    .get(&id)
                    .and_then(|n| u64::try_from(*n).ok())
                    .unwrap_or(0);
                found.insert((id, size), LatestDeliveries { rows, total });
            }
        }
        Ok(found)
    }
}

/// The newest `size` deliveries of each of `endpoints`, newest first.
async fn latest(
    db: &DatabaseConnection,
    endpoints: &[Uuid],
    size: u64,
) -> Result<Vec<webhook_delivery::Model>, ApiError> {
    if endpoints.is_empty() {
        return Ok(Vec::new());
    }
    let backend = db.get_database_backend();
    let placeholders: Vec<String> = (1..=endpoints.len())
        .map(|n| match backend {
            sea_orm::DbBackend::Postgres => format!("${n}"),
            _ => "?".to_owned(),
        })
        .collect();
    let limit = match backend {
        sea_orm::DbBackend::Postgres => format!("${}", endpoints.len() + 1),
        _ => "?".to_owned(),
    };
    let sql = format!(
        "SELECT id, endpoint_id, event_id, event_kind, status, attempts, next_attempt_at, body, \
         last_status_code, last_error, last_attempt_at, created_at, delivered_at FROM ( \
         SELECT d.*, ROW_NUMBER() OVER (PARTITION BY endpoint_id ORDER BY created_at DESC, id DESC) AS place \
         FROM webhook_deliveries d WHERE endpoint_id IN ({}) ) ranked \
         WHERE place <= {limit} ORDER BY endpoint_id, created_at DESC, id DESC",
        placeholders.join(", ")
    );
    let mut values: Vec<sea_orm::Value> = endpoints.iter().map(|id| (*id).into()).collect();
    values.push(i64::try_from(size).unwrap_or(i64::MAX).into());
    Ok(WebhookDelivery::find()
        .from_raw_sql(Statement::from_sql_and_values(backend, sql, values))
        .all(db)
        .await?)
}
