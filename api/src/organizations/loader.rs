//! Organization loaders live with the account loaders, since `Account` and `Organization` refer to
//! each other; this path is kept for the domains that name them here.

pub use crate::accounts::loader::{
    OrganizationLoader, RepresentativesLoader, RepresentedOrganizationsLoader,
};
