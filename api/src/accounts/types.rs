//! The two parties that act in Quorum: `Account` (a person's public face, and private fields for
//! themselves) and `Organization` (a company or group that accounts represent).

use async_graphql::{Context, ID, Object};
use entity::{account, organization};

use crate::{
    accounts::loader::{AccountLoader, RepresentativesLoader, RepresentedOrganizationsLoader},
    auth::{Role, Viewer},
    error::ApiResult,
    ids::{self, NodeKind},
    loaders::{cached_loader, loader},
    time::DateTime,
};

/// The account row, wrapped so that no column becomes API by accident.
#[derive(Clone, Debug)]
pub struct Account {
    pub row: account::Model,
    /// Shown to its owner whoever the request's viewer is: the account of a session just
    /// started by `signUp` or `logIn`, whose request carried no credentials yet.
    owner_view: bool,
    /// The email is shown: the viewer reviews this person's application and must be able to
    /// contact them.
    contact_view: bool,
}

impl Account {
    /// The account as the request's viewer may see it.
    pub fn new(row: account::Model) -> Self {
        Self {
            row,
            owner_view: false,
            contact_view: false,
        }
    }

    /// The account as its owner sees it: for the payload of a session just started.
    pub fn for_owner(row: account::Model) -> Self {
        Self {
            row,
            owner_view: true,
            contact_view: false,
        }
    }

    /// The account with its email shown, for a viewer entitled to contact the person (the
    /// committee reviewing their application). Other private fields stay hidden.
    pub fn for_contact(row: account::Model) -> Self {
        Self {
            row,
            owner_view: false,
            contact_view: true,
        }
    }

    /// Whether the viewer sees the private fields: the owner and administrators.
    fn private_to(&self, ctx: &Context<'_>) -> bool {
        self.owner_view || Viewer::of(ctx).is_self_or_admin(self.row.id)
    }
}

impl NodeKind for Account {
    const KIND: &'static str = "Account";
}

/// A person who logs in. The display name and roles are public; the email and organizations are
/// shown only to the person and to administrators.
#[Object]
impl Account {
    /// The account's opaque global ID.
    pub async fn id(&self) -> ID {
        ids::id_of::<Self>(self.row.id)
    }

    /// The name the person chose to be shown by.
    async fn display_name(&self) -> &str {
        &self.row.display_name
    }

    /// The email address; null unless the viewer is this account, an administrator, or (on an
    /// application's `applicant`) the committee reviewing the application.
    async fn email(&self, ctx: &Context<'_>) -> Option<&str> {
        (self.contact_view || self.private_to(ctx)).then_some(self.row.email.as_str())
    }

    /// The committee roles the account holds.
    async fn roles(&self, ctx: &Context<'_>) -> ApiResult<Vec<Role>> {
        let roles = loader::<crate::accounts::loader::RolesLoader>(ctx)?
            .load_one(self.row.id)
            .await?
            .unwrap_or_default();
        Ok(roles)
    }

    /// The organizations the account represents; null unless the viewer is this account or an
    /// administrator.
    async fn organizations(&self, ctx: &Context<'_>) -> ApiResult<Option<Vec<Organization>>> {
        if !self.private_to(ctx) {
            return Ok(None);
        }
        let organizations = loader::<RepresentedOrganizationsLoader>(ctx)?
            .load_one(self.row.id)
            .await?
            .unwrap_or_default();
        Ok(Some(organizations.into_iter().map(Organization).collect()))
    }

    /// When the account was created.
    async fn created_at(&self) -> DateTime {
        self.row.created_at.into()
    }
}

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
        let accounts = cached_loader::<AccountLoader>(ctx)?.load_many(ids).await?;
        Ok(Some(accounts.into_values().map(Account::new).collect()))
    }

    /// When the organization was created.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
}
