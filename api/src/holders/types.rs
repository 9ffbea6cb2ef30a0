//! The holder as GraphQL sees it: acting for the viewer or an organization they represent,
//! whether the viewer is a holder, and the holder as an object.

use async_graphql::{Context, ID, Union};
use uuid::Uuid;

use crate::{
    accounts::{loader::AccountLoader, types::Account},
    auth::Viewer,
    error::{ApiError, ApiResult},
    holders::Holder,
    ids,
    loaders::{cached_loader, loader},
    organizations::{
        loader::{OrganizationLoader, RepresentedOrganizationsLoader},
        types::Organization,
    },
};

impl Holder {
    /// The viewer, or the organization `organization_id` the viewer represents. Acting for an
    /// organization needs its representative; anyone else is `FORBIDDEN`.
    pub async fn acting(
        ctx: &Context<'_>,
        organization_id: Option<&ID>,
        field: &str,
    ) -> ApiResult<Self> {
        let me = Viewer::of(ctx).require_account()?;
        let Some(id) = organization_id else {
            return Ok(Holder::Account(me.id));
        };
        let organization = ids::key_of::<Organization>(id, field)?;
        if !viewer_organizations(ctx).await?.contains(&organization) {
            return Err(ApiError::forbidden(
                "only the organization's representatives can act for it",
            ));
        }
        Ok(Holder::Organization(organization))
    }

    /// Whether the viewer is this holder or represents it.
    pub async fn is_viewer(self, ctx: &Context<'_>) -> ApiResult<bool> {
        let viewer = Viewer::of(ctx);
        Ok(match self {
            Holder::Account(id) => viewer.account_id() == Some(id),
            Holder::Organization(id) => viewer_organizations(ctx).await?.contains(&id),
        })
    }

    /// The holder as a GraphQL object.
    pub async fn load(self, ctx: &Context<'_>) -> ApiResult<Option<MembershipHolder>> {
        Ok(match self {
            Holder::Account(id) => cached_loader::<AccountLoader>(ctx)?
                .load_one(id)
                .await?
                .map(|row| MembershipHolder::Account(Account::new(row))),
            Holder::Organization(id) => cached_loader::<OrganizationLoader>(ctx)?
                .load_one(id)
                .await?
                .map(|row| MembershipHolder::Organization(Organization(row))),
        })
    }
}

/// The organizations the viewer represents; none for anonymous callers and API tokens.
pub async fn viewer_organizations(ctx: &Context<'_>) -> ApiResult<Vec<Uuid>> {
    let Some(me) = Viewer::of(ctx).account_id() else {
        return Ok(Vec::new());
    };
    Ok(loader::<RepresentedOrganizationsLoader>(ctx)?
        .load_one(me)
        .await?
        .unwrap_or_default()
        .into_iter()
        .map(|organization| organization.id)
        .collect())
}

/// Who holds a membership: a person or an organization.
#[derive(Union)]
pub enum MembershipHolder {
    Account(Account),
    Organization(Organization),
}

/// The holder keys the viewer acts for: their own account and the organizations they
/// represent.
pub async fn viewer_holder_keys(ctx: &Context<'_>) -> ApiResult<Vec<String>> {
    let Some(me) = Viewer::of(ctx).account_id() else {
        return Ok(Vec::new());
    };
    Ok(std::iter::once(Holder::Account(me).key())
        .chain(
            viewer_organizations(ctx)
                .await?
                .into_iter()
                .map(|id| Holder::Organization(id).key()),
        )
        .collect())
}
