//! The `Node` interface and the root `node(id:)` field that finds any object by its global ID.

use async_graphql::{Context, ID, Interface, Object};

use sea_orm::{DatabaseConnection, EntityTrait};

use crate::{
    accounts::{loader::AccountLoader, types::Account},
    auth::Viewer,
    error::{ApiError, ApiResult},
    ids::{self, NodeKind},
    loaders::loader,
    members::types::{Application, Membership},
    mirrors::types::Mirror,
    organizations::{loader::OrganizationLoader, types::Organization},
    tokens::types::ApiToken,
};

/// An object with a global ID, which `node(id:)` can fetch again.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "The object's opaque global ID."))]
pub enum Node {
    Account(Account),
    Organization(Organization),
    ApiToken(ApiToken),
    Membership(Membership),
    Application(Application),
    Mirror(Mirror),
}

/// The root fields for fetching objects by global ID.
#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Fetches any object by its global ID. The same rules apply as to the type's own query:
    /// null when the object does not exist or the viewer may not see it.
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The global ID of the object.")] id: ID,
    ) -> ApiResult<Option<Node>> {
        let Some((kind, key)) = ids::decode(&id) else {
            return Err(ApiError::bad_input("id", "`id` is not a valid ID"));
        };
        Ok(match kind.as_str() {
            Account::KIND => loader::<AccountLoader>(ctx)?
                .load_one(key)
                .await?
                .map(|row| Node::Account(Account(row))),
            Organization::KIND => loader::<OrganizationLoader>(ctx)?
                .load_one(key)
                .await?
                .map(|row| Node::Organization(Organization(row))),
            // A token is seen only by the person who created it and administrators.
            ApiToken::KIND => {
                let viewer = Viewer::of(ctx);
                entity::prelude::ApiToken::find_by_id(key)
                    .one(db(ctx)?)
                    .await?
                    .filter(|row| viewer.is_self_or_admin(row.account_id))
                    .map(|row| Node::ApiToken(ApiToken(row)))
            }
            Membership::KIND => {
                let row = entity::prelude::Membership::find_by_id(key)
                    .one(db(ctx)?)
                    .await?;
                match row.map(Membership) {
                    Some(found) if found.visible(ctx).await? => Some(Node::Membership(found)),
                    _ => None,
                }
            }
            Application::KIND => {
                let row = entity::prelude::Application::find_by_id(key)
                    .one(db(ctx)?)
                    .await?;
                match row.map(Application) {
                    Some(found) if found.visible(ctx).await? => Some(Node::Application(found)),
                    _ => None,
                }
            }
            Mirror::KIND => {
                let row = entity::prelude::Mirror::find_by_id(key)
                    .one(db(ctx)?)
                    .await?;
                match row.map(Mirror) {
                    Some(found) if found.visible(ctx).await? => Some(Node::Mirror(found)),
                    _ => None,
                }
            }
            _ => None,
        })
    }
}

fn db<'a>(ctx: &Context<'a>) -> ApiResult<&'a DatabaseConnection> {
    Ok(ctx.data::<DatabaseConnection>()?)
}
