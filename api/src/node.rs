//! The `Node` interface and the root `node(id:)` field that finds any object by its global ID.

use async_graphql::{Context, ID, Interface, Object};
use sea_orm::{DatabaseConnection, EntityTrait};

use crate::{
    accounts::{
        loader::AccountLoader,
        types::{Account, RepresentativeInvitation},
    },
    amendments::types::Amendment,
    auth::{Role, Viewer},
    error::{ApiError, ApiResult},
    ids::{self, NodeKind},
    loaders::{cached_loader, loader},
    members::types::{Application, Membership},
    mirrors::types::Mirror,
    notifications::{
        endpoints::may_manage,
        types::{WebhookDelivery, WebhookEndpoint},
    },
    organizations::{loader::OrganizationLoader, types::Organization},
    sponsors::{
        loader::{SponsorshipLoader, TierLoader},
        tiers::SponsorTier,
        types::Sponsorship,
    },
    tokens::types::ApiToken,
};

/// An object with a global ID, which `node(id:)` can fetch again.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "The object's opaque global ID."))]
pub enum Node {
    Account(Account),
    Organization(Organization),
    RepresentativeInvitation(RepresentativeInvitation),
    ApiToken(ApiToken),
    Membership(Membership),
    Application(Application),
    Mirror(Mirror),
    SponsorTier(SponsorTier),
    Sponsorship(Sponsorship),
    Amendment(Amendment),
    WebhookEndpoint(WebhookEndpoint),
    WebhookDelivery(WebhookDelivery),
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
            return Err(ApiError::bad_input(
                crate::field!(id),
                "This is not a valid ID.",
            ));
        };
        let viewer = Viewer::of(ctx);
        let db = ctx.data::<DatabaseConnection>()?;
        Ok(match kind.as_str() {
            Account::KIND => cached_loader::<AccountLoader>(ctx)?
                .load_one(key)
                .await?
                .map(|row| Node::Account(Account::new(row))),
            Organization::KIND => cached_loader::<OrganizationLoader>(ctx)?
                .load_one(key)
                .await?
                .map(|row| Node::Organization(Organization(row))),
            RepresentativeInvitation::KIND => {
                let found = entity::prelude::RepresentativeInvitation::find_by_id(key)
                    .one(db)
                    .await?
                    .map(RepresentativeInvitation);
                match found {
                    Some(found) if found.visible(ctx).await? => {
                        Some(Node::RepresentativeInvitation(found))
                    }
                    _ => None,
                }
            }
            // A token is seen only by the person who created it and administrators.
            ApiToken::KIND => entity::prelude::ApiToken::find_by_id(key)
                .one(db)
                .await?
                .filter(|row| viewer.is_self_or_admin(row.account_id))
                .map(|row| Node::ApiToken(ApiToken(row))),
            Membership::KIND => {
                let found = entity::prelude::Membership::find_by_id(key).one(db).await?;
                match found.map(Membership) {
                    Some(found) if found.visible(ctx).await? => Some(Node::Membership(found)),
                    _ => None,
                }
            }
            Application::KIND => {
                let found = entity::prelude::Application::find_by_id(key)
                    .one(db)
                    .await?;
                match found.map(Application) {
                    Some(found) if found.visible(ctx).await? => Some(Node::Application(found)),
                    _ => None,
                }
            }
            Mirror::KIND => {
                let found = entity::prelude::Mirror::find_by_id(key).one(db).await?;
                match found.map(Mirror) {
                    Some(found) if found.visible(ctx).await? => Some(Node::Mirror(found)),
                    _ => None,
                }
            }
            // Published tiers are public; drafts and retired ones are for the treasury.
            SponsorTier::KIND => loader::<TierLoader>(ctx)?
                .load_one(key)
                .await?
                .filter(|tier| {
                    tier.state == entity::sponsor_tier::TierState::Published
                        || viewer.has_role(Role::Admin)
                        || viewer.has_role(Role::Treasurer)
                })
                .map(|tier| Node::SponsorTier(SponsorTier(tier))),
            Sponsorship::KIND => {
                let found = loader::<SponsorshipLoader>(ctx)?.load_one(key).await?;
                match found.map(Sponsorship) {
                    Some(found) if found.visible(ctx).await? => Some(Node::Sponsorship(found)),
                    _ => None,
                }
            }
            Amendment::KIND => entity::prelude::Amendment::find_by_id(key)
                .one(db)
                .await?
                .map(Amendment)
                .filter(|a| a.visible(viewer))
                .map(Node::Amendment),
            // Endpoints and their deliveries are seen by those who manage them.
            WebhookEndpoint::KIND => {
                let found = entity::prelude::WebhookEndpoint::find_by_id(key)
                    .one(db)
                    .await?;
                match found {
                    Some(row) if may_manage(db, viewer, &row).await? => {
                        Some(Node::WebhookEndpoint(WebhookEndpoint(row)))
                    }
                    _ => None,
                }
            }
            WebhookDelivery::KIND => {
                let Some(delivery) = entity::prelude::WebhookDelivery::find_by_id(key)
                    .one(db)
                    .await?
                else {
                    return Ok(None);
                };
                let endpoint = entity::prelude::WebhookEndpoint::find_by_id(delivery.endpoint_id)
                    .one(db)
                    .await?;
                match endpoint {
                    Some(row) if may_manage(db, viewer, &row).await? => {
                        Some(Node::WebhookDelivery(WebhookDelivery(delivery)))
                    }
                    _ => None,
                }
            }
            _ => None,
        })
    }
}
