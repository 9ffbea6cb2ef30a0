//! The `Organization` GraphQL type.

use async_graphql::{Context, ID, Object};
use entity::organization;

use crate::{
    accounts::{loader::AccountLoader, types::Account},
    auth::{Role, Viewer},
    error::ApiResult,
    ids::{self, NodeKind},
    loaders::loader,
    organizations::loader::RepresentativesLoader,
    time::DateTime,
};

/// The organization row, wrapped so that no column becomes API by accident.
#[derive(Clone, Debug)]
pub struct Organization(pub organization::Model);

impl NodeKind for Organization {
    const KIND: &'static str = "Organization";
}

/// A company or group. Accounts act for it as its representatives.
#[Object]
impl Organization {
    /// The organization's opaque global ID.
    pub async fn id(&self) -> ID {
        ids::id_of::<Self>(self.0.id)
    }

    /// The organization's name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Its website.
    async fn website_url(&self) -> Option<&str> {
        self.0.website_url.as_deref()
    }

    /// Its logo.
    async fn logo_url(&self) -> Option<&str> {
        self.0.logo_url.as_deref()
    }

    /// The accounts that act for it; null unless the viewer is one of them or an administrator.
    async fn representatives(&self, ctx: &Context<'_>) -> ApiResult<Option<Vec<Account>>> {
        let ids = loader::<RepresentativesLoader>(ctx)?
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        let viewer = Viewer::of(ctx);
        let allowed =
            viewer.has_role(Role::Admin) || viewer.account_id().is_some_and(|me| ids.contains(&me));
        if !allowed {
            return Ok(None);
        }
        let accounts = loader::<AccountLoader>(ctx)?.load_many(ids).await?;
        Ok(Some(accounts.into_values().map(Account).collect()))
    }

    /// When the organization was created.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
}
