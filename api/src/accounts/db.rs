//! Named reads of accounts, for commands and resolvers.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult, corrupt_row};

/// The account with this normalized email.
pub async fn find_by_email(
    db: &impl ConnectionTrait,
    email: &str,
) -> ApiResult<Option<entity::account::Model>> {
    Ok(entity::prelude::Account::find()
        .filter(entity::account::Column::Email.eq(email))
        .one(db)
        .await?)
}

/// The account `id`, or `NOT_FOUND`.
pub async fn find_account(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> ApiResult<entity::account::Model> {
    entity::prelude::Account::find_by_id(id)
        .one(db)
        .await
        .map_err(corrupt_row("accounts", id))?
        .ok_or_else(|| ApiError::not_found("account"))
}
