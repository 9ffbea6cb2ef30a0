//! When each API token was last used, noted in memory and written in the background.
//!
//! A request made with an API token only reads: it never writes, not even this timestamp. The
//! replica notes the time and a background task writes it once a minute. A crash loses at most a
//! minute of `lastUsedAt`, which is informational; nothing depends on it for correctness.

use std::{collections::HashMap, sync::Arc, time::Duration};

use chrono::{DateTime, Utc};
use entity::{
    api_token, integration_secret,
    prelude::{ApiToken, IntegrationSecret},
};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, ExprTrait, QueryFilter, sea_query::Expr,
};
use tokio::sync::Mutex;
use uuid::Uuid;

use crate::error::ApiResult;

/// How often noted uses are written.
const FLUSH_EVERY: Duration = Duration::from_secs(60);

/// A machine credential whose use is noted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Used {
    /// A person's API token, by its id.
    ApiToken(Uuid),
    /// An integration's secret, by its id.
    IntegrationSecret(Uuid),
}

/// The uses of API tokens and integration secrets not yet written, newest per credential.
#[derive(Clone, Default)]
pub struct TokenUsage(Arc<Mutex<HashMap<Used, DateTime<Utc>>>>);

impl TokenUsage {
    /// A ledger whose notes are written to `db` every minute while the process runs; the same
    /// housekeeping forgets rate-limit counters whose window is long over.
    pub fn start(db: &DatabaseConnection) -> Self {
        let usage = Self::default();
        let (task_usage, db) = (usage.clone(), db.clone());
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(FLUSH_EVERY);
            for round in 0u64.. {
                interval.tick().await;
                if let Err(err) = task_usage.flush(&db).await {
                    tracing::warn!(error = %err, "could not record API token use; will retry");
                }
                if round % 10 == 9
                    && let Err(err) = crate::auth::rate_limit::forget_old(&db).await
                {
                    tracing::warn!(error = %err, "could not clear old rate-limit counters");
                }
            }
        });
        usage
    }

    /// Notes that a credential was used now.
    pub async fn note(&self, used: Used) {
        self.0.lock().await.insert(used, Utc::now());
    }

    /// Writes the noted uses: one short statement per token, never moving a time backwards.
    pub async fn flush(&self, db: &DatabaseConnection) -> ApiResult<()> {
        let pending = std::mem::take(&mut *self.0.lock().await);
        for (used, used_at) in pending {
            match used {
                Used::ApiToken(id) => {
                    ApiToken::update_many()
                        .col_expr(api_token::Column::LastUsedAt, Expr::value(used_at))
                        .filter(api_token::Column::Id.eq(id))
                        .filter(
                            api_token::Column::LastUsedAt
                                .is_null()
                                .or(api_token::Column::LastUsedAt.lt(used_at)),
                        )
                        .exec(db)
                        .await?;
                }
                Used::IntegrationSecret(id) => {
                    IntegrationSecret::update_many()
                        .col_expr(integration_secret::Column::LastUsedAt, Expr::value(used_at))
                        .filter(integration_secret::Column::Id.eq(id))
                        .filter(
                            integration_secret::Column::LastUsedAt
                                .is_null()
                                .or(integration_secret::Column::LastUsedAt.lt(used_at)),
                        )
                        .exec(db)
                        .await?;
                }
            }
        }
        Ok(())
    }
}
