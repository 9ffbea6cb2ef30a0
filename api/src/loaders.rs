//! The DataLoader registration point: every loader, fresh for each request.
//!
//! Loaders live for one request only, so a cached row never outlives the request that read it
//! and nothing depends on process-local state across requests.

use async_graphql::{Context, dataloader::DataLoader};
use sea_orm::DatabaseConnection;

use crate::{
    accounts::loader::{AccountLoader, RolesLoader},
    error::{ApiError, ApiResult},
    members::loader::{ApplicationMirrorsLoader, MembershipClassLoader},
    mirrors::loader::VerificationsLoader,
    organizations::loader::{
        OrganizationLoader, RepresentativesLoader, RepresentedOrganizationsLoader,
    },
    policy::loader::PolicyLoader,
    sponsors::loader::{
        ContributionTotalLoader, ContributionsLoader, SponsorshipLoader, TierLoader,
    },
};

/// Attaches one instance of every loader to a request.
pub fn register(
    request: async_graphql::Request,
    db: &DatabaseConnection,
) -> async_graphql::Request {
    let db = || db.clone();
    request
        .data(DataLoader::new(AccountLoader(db()), tokio::spawn))
        .data(DataLoader::new(RolesLoader(db()), tokio::spawn))
        .data(DataLoader::new(OrganizationLoader(db()), tokio::spawn))
        .data(DataLoader::new(
            RepresentedOrganizationsLoader(db()),
            tokio::spawn,
        ))
        .data(DataLoader::new(RepresentativesLoader(db()), tokio::spawn))
        .data(DataLoader::new(MembershipClassLoader(db()), tokio::spawn))
        .data(DataLoader::new(
            ApplicationMirrorsLoader(db()),
            tokio::spawn,
        ))
        .data(DataLoader::new(VerificationsLoader(db()), tokio::spawn))
        .data(DataLoader::new(PolicyLoader(db()), tokio::spawn))
        .data(DataLoader::new(TierLoader(db()), tokio::spawn))
        .data(DataLoader::new(SponsorshipLoader(db()), tokio::spawn))
        .data(DataLoader::new(ContributionsLoader(db()), tokio::spawn))
        .data(DataLoader::new(ContributionTotalLoader(db()), tokio::spawn))
}

/// Adds one instance of every loader to a WebSocket connection's data.
pub fn register_into(data: &mut async_graphql::Data, db: &DatabaseConnection) {
    let db = || db.clone();
    data.insert(DataLoader::new(AccountLoader(db()), tokio::spawn));
    data.insert(DataLoader::new(RolesLoader(db()), tokio::spawn));
    data.insert(DataLoader::new(OrganizationLoader(db()), tokio::spawn));
    data.insert(DataLoader::new(
        RepresentedOrganizationsLoader(db()),
        tokio::spawn,
    ));
    data.insert(DataLoader::new(RepresentativesLoader(db()), tokio::spawn));
    data.insert(DataLoader::new(MembershipClassLoader(db()), tokio::spawn));
    data.insert(DataLoader::new(
        ApplicationMirrorsLoader(db()),
        tokio::spawn,
    ));
    data.insert(DataLoader::new(VerificationsLoader(db()), tokio::spawn));
    data.insert(DataLoader::new(PolicyLoader(db()), tokio::spawn));
    data.insert(DataLoader::new(TierLoader(db()), tokio::spawn));
    data.insert(DataLoader::new(SponsorshipLoader(db()), tokio::spawn));
    data.insert(DataLoader::new(ContributionsLoader(db()), tokio::spawn));
    data.insert(DataLoader::new(ContributionTotalLoader(db()), tokio::spawn));
}

/// The loader `L` of the current request.
pub fn loader<'a, L: Send + Sync + 'static>(ctx: &Context<'a>) -> ApiResult<&'a DataLoader<L>> {
    ctx.data::<DataLoader<L>>()
        .map_err(|_| ApiError::internal("a DataLoader was not registered for this request"))
}
