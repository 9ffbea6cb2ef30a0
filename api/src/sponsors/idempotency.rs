//! Idempotency keys for money mutations: a client that lost the answer to `recordContribution`
//! or `recordSponsorship` retries with the same key and gets the first result instead of
//! recording the money twice. The same key with a different input is `CONFLICT`.
//!
//! The key is stored with a hash of the canonical input and the id of what was recorded, in the
//! same transaction as the change, so a key exists exactly when its change does. Keys do not
//! expire.

use crate::db::Tx;
use chrono::Utc;
pub use entity::idempotency_key::IdempotencyScope;
use entity::{idempotency_key, prelude::IdempotencyKey as Keys};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};
use serde_json::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult, on_unique_violation};

/// The longest key accepted, in characters.
pub const MAX_KEY_CHARS: usize = 100;

/// Reads an optional key, 1 to [`MAX_KEY_CHARS`] characters, naming `field` when it is not.
pub fn parse_key(key: Option<String>, field: &str) -> ApiResult<Option<String>> {
    let Some(key) = key else {
        return Ok(None);
    };
    let chars = key.chars().count();
    if chars == 0 || chars > MAX_KEY_CHARS || key.chars().any(char::is_control) {
        return Err(ApiError::bad_input(
            field,
            format!(
                "The idempotency key must be 1 to {MAX_KEY_CHARS} characters with no control characters."
            ),
        ));
    }
    Ok(Some(key))
}

/// A key used for one mutation's input.
pub struct Claim {
    scope: IdempotencyScope,
    key: String,
    request_hash: String,
}

impl Claim {
    /// `scope` names the mutation; `canonical` is its parsed input, written the same way for the
    /// same input.
    pub fn new(scope: IdempotencyScope, key: String, canonical: &Value) -> Self {
        let request_hash = hex::encode(Sha256::digest(canonical.to_string().as_bytes()));
        Self {
            scope,
            key,
            request_hash,
        }
    }

    /// The id the key's first use recorded, if it was used before with this input; `CONFLICT`
    /// if it was used with another. Call it holding the lock that the change takes, so that a
    /// concurrent first use has committed or not begun.
    pub async fn earlier(&self, db: &impl ConnectionTrait) -> ApiResult<Option<Uuid>> {
        let Some(row) = Keys::find_by_id((self.scope, self.key.clone()))
            .one(db)
            .await?
        else {
            return Ok(None);
        };
        if row.request_hash != self.request_hash {
            return Err(reused());
        }
        Ok(Some(row.result_id))
    }

    /// Remembers the key with what was recorded. A concurrent first use of the key with another
    /// input is `CONFLICT`.
    pub async fn store(self, tx: &Tx, result_id: Uuid) -> ApiResult<()> {
        idempotency_key::ActiveModel {
            scope: Set(self.scope),
            key: Set(self.key),
            request_hash: Set(self.request_hash),
            result_id: Set(result_id),
            created_at: Set(Utc::now()),
        }
        .insert(tx)
        .await
        .map_err(|err| on_unique_violation(err, reused))?;
        Ok(())
    }
}

fn reused() -> ApiError {
    ApiError::conflict("this idempotency key was already used with a different input")
}
