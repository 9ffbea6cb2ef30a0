//! Batches each endpoint's events and latest deliveries, so that a list of endpoints costs the
//! same few statements however many endpoints and deliveries it shows.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use entity::{
    outbox_event::WebhookEvent,
    prelude::{WebhookDelivery, WebhookEndpointEvent},
    webhook_delivery, webhook_endpoint_event,
};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, IntoSimpleExpr, QueryFilter, QuerySelect,
};
use uuid::Uuid;

use crate::{
    error::ApiError,
    pagination::{Page, SortDirection, fetch_child_pages},
};

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

/// A page of an endpoint's deliveries, as read (see [`assemble`](crate::pagination::assemble)),
/// and how many it has in all.
#[derive(Clone, Debug, Default)]
pub struct DeliveryPage {
    pub rows: Vec<webhook_delivery::Model>,
    pub total: u64,
}

/// Loads a page of each endpoint's deliveries, newest first, keyed by (endpoint, page): one
/// statement per distinct page asked for (a list of endpoints asks each for the same first
/// page, so one), and one count.
pub struct DeliveriesLoader(pub DatabaseConnection);

impl Loader<(Uuid, Page)> for DeliveriesLoader {
    type Value = DeliveryPage;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[(Uuid, Page)],
    ) -> Result<HashMap<(Uuid, Page), Self::Value>, Self::Error> {
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
        let mut by_page: HashMap<&Page, Vec<Uuid>> = HashMap::new();
        for (id, page) in keys {
            by_page.entry(page).or_default().push(*id);
        }
        let mut found = HashMap::new();
        for (page, wanted) in by_page {
            let query = WebhookDelivery::find()
                .filter(webhook_delivery::Column::EndpointId.is_in(wanted.iter().copied()));
            // Newest first: ids are UUIDv7, in the order the deliveries were written.
            let rows = fetch_child_pages(
                &self.0,
                query,
                webhook_delivery::Column::EndpointId,
                &[webhook_delivery::Column::Id.into_simple_expr()],
                SortDirection::Desc,
                page,
            )
            .await?;
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
                found.insert((id, page.clone()), DeliveryPage { rows, total });
            }
        }
        Ok(found)
    }
}
