//! Copies each webhook endpoint's comma-separated events into `webhook_endpoint_events`. A name
//! no release sent stops the migration, naming the endpoint, rather than drop a subscription in
//! silence.

use std::collections::{BTreeMap, BTreeSet};

use sea_orm_migration::{
    prelude::*,
    sea_orm::{ConnectionTrait, prelude::Uuid},
};

use crate::{
    m20261203_000002_create_webhook_endpoints::WebhookEndpoints,
    m20261208_000009_create_webhook_endpoint_events::WebhookEndpointEvents,
};

/// Every event a release sent, by its dotted name.
const KNOWN: [&str; 8] = [
    "sponsorship.created",
    "sponsorship.tier_changed",
    "sponsorship.lapsed",
    "sponsorship.cancelled",
    "membership.approved",
    "amendment.adopted",
    "amendment.rejected",
    "election.certified",
];

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let endpoints = db
            .query_all(
                &Query::select()
                    .columns([WebhookEndpoints::Id, WebhookEndpoints::Events])
                    .from(WebhookEndpoints::Table)
                    .to_owned(),
            )
            .await?;
        for endpoint in endpoints {
            let id: Uuid = endpoint.try_get("", "id")?;
            let list: String = endpoint.try_get("", "events")?;
            let events: BTreeSet<&str> = list
                .split(',')
                .map(str::trim)
                .filter(|name| !name.is_empty())
                .collect();
            if let Some(unknown) = events.iter().find(|name| !KNOWN.contains(name)) {
                return Err(DbErr::Migration(format!(
                    "webhook endpoint {id} subscribes to `{unknown}`, which no release sent; \
                     correct or delete it, then migrate again"
                )));
            }
            if events.is_empty() {
                continue;
            }
            let mut insert = Query::insert()
                .into_table(WebhookEndpointEvents::Table)
                .columns([
                    WebhookEndpointEvents::EndpointId,
                    WebhookEndpointEvents::Event,
                ])
                .to_owned();
            for event in events {
                insert
                    .values([id.into(), event.into()])
                    .map_err(|err| DbErr::Migration(err.to_string()))?;
            }
            // A run stopped half way (by a name it refused) is run again as it stands.
            insert.on_conflict(
                OnConflict::columns([
                    WebhookEndpointEvents::EndpointId,
                    WebhookEndpointEvents::Event,
                ])
                .do_nothing()
                .to_owned(),
            );
            db.execute(&insert).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let rows = db
            .query_all(
                &Query::select()
                    .columns([
                        WebhookEndpointEvents::EndpointId,
                        WebhookEndpointEvents::Event,
                    ])
                    .from(WebhookEndpointEvents::Table)
                    .to_owned(),
            )
            .await?;
        let mut lists: BTreeMap<Uuid, BTreeSet<String>> = BTreeMap::new();
        for row in rows {
            lists
                .entry(row.try_get("", "endpoint_id")?)
                .or_default()
                .insert(row.try_get("", "event")?);
        }
        for (id, events) in lists {
            let list: Vec<String> = events.into_iter().collect();
            db.execute(
                &Query::update()
                    .table(WebhookEndpoints::Table)
                    .value(WebhookEndpoints::Events, list.join(","))
                    .and_where(Expr::col(WebhookEndpoints::Id).eq(id))
                    .to_owned(),
            )
            .await?;
        }
        db.execute(
            &Query::delete()
                .from_table(WebhookEndpointEvents::Table)
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
