//! The governance policy: every number of DOMAIN.md in one record, read where a rule needs it.

pub mod commands;
pub mod graphql;
pub mod loader;

use entity::{governance_policy, prelude::GovernancePolicy};
use sea_orm::{ConnectionTrait, EntityTrait, QuerySelect};

use crate::error::{ApiError, ApiResult};

/// The key of the one policy row.
pub const POLICY_ID: i32 = 1;

/// Reads the policy in force.
pub async fn current(db: &impl ConnectionTrait) -> ApiResult<governance_policy::Model> {
    GovernancePolicy::find_by_id(POLICY_ID)
        .one(db)
        .await?
        .ok_or_else(|| ApiError::internal("the governance policy row is missing"))
}

/// Reads the policy under its row lock, for the rest of the transaction: the commands that
/// check the board's composition (certifying an election, creating a Community Director
/// election) take it, so two of them never both pass a check the other would break. On SQLite
/// the write transaction already holds the database's lock.
pub async fn locked(tx: &crate::db::Tx) -> ApiResult<governance_policy::Model> {
    GovernancePolicy::find_by_id(POLICY_ID)
        .lock_exclusive()
        .one(tx)
        .await?
        .ok_or_else(|| ApiError::internal("the governance policy row is missing"))
}
