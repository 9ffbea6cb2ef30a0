//! What a signed-in member sees of themselves: their memberships and their applications (the
//! self-only fields of `Account`).

use async_graphql::Context;
use entity::{
    application, membership,
    prelude::{Application as Applications, Membership as Memberships},
};
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::{
    error::ApiResult,
    holders::holder_keys_of,
    members::types::{Application, ApplicationConnection, ApplicationStatus, Membership},
    pagination::{PageArgs, fetch_page},
};

/// The memberships `account` holds, together with those held by the organizations it
/// represents, oldest first, every status included. For the account's own eyes only: the caller
/// checks that the viewer is `account`.
pub async fn memberships_of(ctx: &Context<'_>, account: Uuid) -> ApiResult<Vec<Membership>> {
    let db = ctx.data::<DatabaseConnection>()?;
    let keys = holder_keys_of(db, account).await?;
    let rows = Memberships::find()
        .filter(membership::Column::HolderKey.is_in(keys))
        .order_by_asc(membership::Column::Since)
        .order_by_asc(membership::Column::Id)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(Membership).collect())
}

/// One page of the applications `account` submitted and those made for the organizations it
/// represents, oldest first. For the account's own eyes only, as [`memberships_of`].
pub async fn applications_of(
    ctx: &Context<'_>,
    account: Uuid,
    status: Option<ApplicationStatus>,
    page: PageArgs,
) -> ApiResult<ApplicationConnection> {
    let page = page.parse()?;
    let db = ctx.data::<DatabaseConnection>()?;
    let keys = holder_keys_of(db, account).await?;
    let mut query = Applications::find().filter(
        Condition::any()
            .add(application::Column::ApplicantId.eq(account))
            .add(application::Column::HolderKey.is_in(keys)),
    );
    if let Some(status) = status {
        query = query.filter(application::Column::Status.eq(status));
    }
    let page = fetch_page(db, query, application::Column::Id, |row| row.id, &page).await?;
    Ok(page.map(Application).into())
}
