//! The `Node` interface and the root `node(id:)` field that finds any object by its global ID.

use async_graphql::{Context, ID, Interface, Object};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

use crate::{
    accounts::{
        loader::AccountLoader,
        types::{Account, RepresentativeInvitation},
    },
    amendments::{
        authors::hidden_from,
        types::{Amendment, Comment},
    },
    audit_log::{access, types::AuditEvent},
    auth::{Role, Viewer},
    bylaws::{db::section_of, types::Section},
    elections::{
        board::types::Director,
        types::{Election, nominee::Nominee},
        visibility::election_visible,
    },
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
        list::{self, PublicSponsor, PublicSponsorKind},
        loader::{SponsorshipLoader, TierLoader},
        tiers::SponsorTier,
        types::{Contribution, Sponsorship},
    },
    tokens::{
        integrations,
        types::{ApiToken, Integration},
    },
};

/// An object with a global ID, which `node(id:)` can fetch again.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "The object's opaque global ID."))]
pub enum Node {
    Account(Account),
    Organization(Organization),
    RepresentativeInvitation(RepresentativeInvitation),
    ApiToken(ApiToken),
    Integration(Integration),
    Membership(Membership),
    Application(Application),
    Mirror(Mirror),
    SponsorTier(SponsorTier),
    Sponsorship(Sponsorship),
    PublicSponsor(PublicSponsor),
    Contribution(Contribution),
    BylawsSection(Section),
    Amendment(Amendment),
    AmendmentComment(Comment),
    Election(Election),
    Nomination(Nominee),
    Directorship(Director),
    WebhookEndpoint(WebhookEndpoint),
    WebhookDelivery(WebhookDelivery),
    AuditEvent(AuditEvent),
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
            // An integration is seen by those who manage it: ADMINs, its organization's
            // representatives.
            Integration::KIND => match entity::prelude::Integration::find_by_id(key)
                .one(db)
                .await?
            {
                Some(row)
                    if viewer.account_id().is_some()
                        && integrations::may_manage(db, viewer, row.organization_id).await? =>
                {
                    Some(Node::Integration(Integration(row)))
                }
                _ => None,
            },
            // An audit entry, for whoever may read it (`audit_log::access`).
            AuditEvent::KIND => {
                let found = entity::prelude::AuditEvent::find()
                    .filter(entity::audit_event::Column::Id.eq(key))
                    .one(db)
                    .await?;
                match found {
                    Some(row) if access::may_read(db, viewer, &row).await? => {
                        Some(Node::AuditEvent(AuditEvent(row)))
                    }
                    _ => None,
                }
            }
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
            // The public list is public: a sponsor as it shows there today, if it does.
            PublicSponsorKind::KIND => list::one(db, chrono::Utc::now().date_naive(), key)
                .await?
                .map(Node::PublicSponsor),
            // A contribution is seen by whoever sees its sponsorship.
            Contribution::KIND => {
                let Some(row) = entity::prelude::Contribution::find_by_id(key)
                    .one(db)
                    .await?
                else {
                    return Ok(None);
                };
                let sponsorship = loader::<SponsorshipLoader>(ctx)?
                    .load_one(row.sponsorship_id)
                    .await?;
                match sponsorship.map(Sponsorship) {
                    Some(found) if found.visible(ctx).await? => {
                        Some(Node::Contribution(Contribution(row)))
                    }
                    _ => None,
                }
            }
            // A comment is seen by whoever sees its amendment, its author hidden as in the
            // amendment's discussion.
            Comment::KIND => {
                let Some(row) = entity::prelude::AmendmentComment::find_by_id(key)
                    .one(db)
                    .await?
                else {
                    return Ok(None);
                };
                let visible = entity::prelude::Amendment::find_by_id(row.amendment_id)
                    .one(db)
                    .await?
                    .map(Amendment)
                    .is_some_and(|a| a.visible(viewer));
                if !visible {
                    return Ok(None);
                }
                let hidden = hidden_from(db, viewer, &[row.author_id]).await?;
                Some(Node::AmendmentComment(Comment {
                    author_hidden: hidden.contains(&row.author_id),
                    row,
                }))
            }
            // The bylaws are public: a section as the latest version that holds it words it.
            Section::KIND => entity::prelude::BylawsSection::find()
                .filter(entity::bylaws_section::Column::SectionKey.eq(key))
                .order_by_desc(entity::bylaws_section::Column::VersionNumber)
                .one(db)
                .await?
                .map(|row| Node::BylawsSection(Section(section_of(row)))),
            // Drafts are for the election committee and administrators, as in `election(id:)`.
            Election::KIND => entity::prelude::Election::find_by_id(key)
                .one(db)
                .await?
                .filter(|e| election_visible(e, viewer))
                .map(|e| Node::Election(Election(e))),
            // A nomination as its election's `nominees` shows it to this viewer, or nothing.
            Nominee::KIND => {
                let Some(row) = entity::prelude::Nomination::find_by_id(key).one(db).await? else {
                    return Ok(None);
                };
                let Some(election) = entity::prelude::Election::find_by_id(row.election_id)
                    .one(db)
                    .await?
                    .filter(|e| election_visible(e, viewer))
                else {
                    return Ok(None);
                };
                Election(election)
                    .nominees_for(ctx)
                    .await?
                    .into_iter()
                    .find(|nominee| nominee.row.id == key)
                    .map(Node::Nomination)
            }
            // The board of record is public, past terms included.
            Director::KIND => entity::prelude::Directorship::find_by_id(key)
                .one(db)
                .await?
                .map(|row| Node::Directorship(Director(row))),
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
