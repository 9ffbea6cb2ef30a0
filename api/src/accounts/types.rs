//! The two parties that act in Quorum: `Account` (a person's public face, and private fields for
//! themselves) and `Organization` (a company or group that accounts represent).

use async_graphql::{Context, ID, Object};
use entity::{
    account, organization,
    prelude::RepresentativeInvitation as RepresentativeInvitations,
    representative_invitation::{self, InvitationStatus},
};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::{
    accounts::loader::{AccountLoader, RepresentativesLoader},
    auth::{Role, Viewer},
    error::ApiResult,
    ids::{self, NodeKind},
    loaders::{cached_loader, loader},
    pagination::{PageArgs, cost, fetch_page},
    time::DateTime,
};

/// The account row, wrapped so that no column becomes API by accident.
#[derive(Clone, Debug)]
pub struct Account {
    pub row: account::Model,
    /// Shown to its owner whoever the request's viewer is: the account of a session just
    /// started by `signUp` or `logIn`, whose request carried no credentials yet.
    pub(super) owner_view: bool,
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
    pub(super) fn private_to(&self, ctx: &Context<'_>) -> bool {
        self.owner_view || Viewer::of(ctx).is_self_or_admin(self.row.id)
    }
}

mod fields;

impl NodeKind for Account {
    const KIND: &'static str = crate::ids::kind::Account::KIND;
}

/// One page of invitations matching `filter` (and `status`, when given).
pub(super) async fn invitations(
    ctx: &Context<'_>,
    filter: sea_orm::sea_query::SimpleExpr,
    status: Option<InvitationStatus>,
    page: PageArgs,
) -> ApiResult<RepresentativeInvitationConnection> {
    let page = page.parse()?;
    let mut query = RepresentativeInvitations::find().filter(filter);
    if let Some(status) = status {
        query = query.filter(representative_invitation::Column::Status.eq(status));
    }
    let db = ctx.data::<DatabaseConnection>()?;
    let page = fetch_page(
        db,
        query,
        representative_invitation::Column::Id,
        |row| row.id,
        &page,
    )
    .await?;
    Ok(page.map(RepresentativeInvitation).into())
}

/// The organization row, wrapped so that no column becomes API by accident.
#[derive(Clone, Debug)]
pub struct Organization(pub organization::Model);

impl NodeKind for Organization {
    const KIND: &'static str = crate::ids::kind::Organization::KIND;
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

    /// The invitations to represent it that it sent, oldest first; null unless the viewer
    /// is one of its representatives or an administrator.
    #[graphql(complexity = "cost(first, last, child_complexity)")]
    async fn representative_invitations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only invitations in this state, e.g. PENDING.")] status: Option<
            InvitationStatus,
        >,
        #[graphql(desc = "How many to return, at most 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Return invitations after this cursor.")] after: Option<String>,
        #[graphql(desc = "How many to return from the end, at most 100.")] last: Option<i32>,
        #[graphql(desc = "Return invitations before this cursor.")] before: Option<String>,
    ) -> ApiResult<Option<RepresentativeInvitationConnection>> {
        if !self.managed_by(ctx).await? {
            return Ok(None);
        }
        let filter = representative_invitation::Column::OrganizationId.eq(self.0.id);
        let page = PageArgs::new(first, after, last, before);
        invitations(ctx, filter, status, page).await.map(Some)
    }

    /// When the organization was created.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
}

impl Organization {
    /// Whether the viewer manages the organization: one of its representatives, or an
    /// administrator.
    pub async fn managed_by(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        let viewer = Viewer::of(ctx);
        if viewer.has_role(Role::Admin) {
            return Ok(true);
        }
        let Some(me) = viewer.account_id() else {
            return Ok(false);
        };
        let ids = loader::<RepresentativesLoader>(ctx)?
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        Ok(ids.contains(&me))
    }
}

/// The invitation row, wrapped so that no column becomes API by accident.
#[derive(Clone, Debug)]
pub struct RepresentativeInvitation(pub representative_invitation::Model);

impl NodeKind for RepresentativeInvitation {
    const KIND: &'static str = "RepresentativeInvitation";
}

crate::connection!(
    RepresentativeInvitationConnection,
    RepresentativeInvitationEdge,
    RepresentativeInvitation
);

/// An invitation to act for an organization as one of its representatives. It has no effect
/// (on eligibility, the own-case rule, rights or mail) until the invited person accepts it.
/// Seen by the invited person, the organization's representatives and administrators.
#[Object]
impl RepresentativeInvitation {
    /// The invitation's opaque global ID.
    pub async fn id(&self) -> ID {
        ids::id_of::<Self>(self.0.id)
    }

    /// The organization's ID.
    async fn organization_id(&self) -> ID {
        ids::id_of::<Organization>(self.0.organization_id)
    }

    /// The organization that invites.
    async fn organization(&self, ctx: &Context<'_>) -> ApiResult<Organization> {
        cached_loader::<crate::accounts::loader::OrganizationLoader>(ctx)?
            .load_one(self.0.organization_id)
            .await?
            .map(Organization)
            .ok_or_else(|| {
                crate::error::ApiError::internal("an invitation's organization is missing")
            })
    }

    /// The invited account's ID.
    async fn account_id(&self) -> ID {
        ids::id_of::<Account>(self.0.account_id)
    }

    /// The invited account.
    async fn account(&self, ctx: &Context<'_>) -> ApiResult<Account> {
        cached_loader::<AccountLoader>(ctx)?
            .load_one(self.0.account_id)
            .await?
            .map(Account::new)
            .ok_or_else(|| crate::error::ApiError::internal("an invitation's account is missing"))
    }

    /// Who sent it: a representative or an administrator; null when the operator did.
    async fn invited_by(&self, ctx: &Context<'_>) -> ApiResult<Option<Account>> {
        let Some(id) = self.0.invited_by else {
            return Ok(None);
        };
        Ok(cached_loader::<AccountLoader>(ctx)?
            .load_one(id)
            .await?
            .map(Account::new))
    }

    /// Where it stands: PENDING until the invited person answers or the organization
    /// withdraws it.
    async fn status(&self) -> InvitationStatus {
        self.0.status
    }

    /// When it was sent.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }

    /// When it was accepted, declined or withdrawn; null while pending.
    async fn responded_at(&self) -> Option<DateTime> {
        self.0.responded_at.map(Into::into)
    }
}

impl RepresentativeInvitation {
    /// Whether the viewer may see it: the invited person, the organization's representatives
    /// and administrators.
    pub async fn visible(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        let viewer = Viewer::of(ctx);
        if viewer.is_self_or_admin(self.0.account_id) {
            return Ok(true);
        }
        let Some(me) = viewer.account_id() else {
            return Ok(false);
        };
        Ok(loader::<RepresentativesLoader>(ctx)?
            .load_one(self.0.organization_id)
            .await?
            .unwrap_or_default()
            .contains(&me))
    }
}
