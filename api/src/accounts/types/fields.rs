//! `Account` as GraphQL sees it: the public face, the private fields its owner and
//! administrators read, and the self-only fields `viewer` relies on (memberships and
//! applications, from members). Apart from `accounts/types.rs` so that members' types can name
//! `Account` while `Account` names theirs, with no circle between the files.

use async_graphql::{Context, ID, Object};
use entity::representative_invitation::{self, InvitationStatus};
use sea_orm::ColumnTrait;

use super::{Account, Organization, RepresentativeInvitationConnection, invitations};
use crate::{
    accounts::loader::RepresentedOrganizationsLoader,
    auth::{Role, Viewer},
    error::ApiResult,
    ids,
    loaders::loader,
    members::types::{
        ApplicationConnection, ApplicationStatus, Membership,
        mine::{applications_of, memberships_of},
    },
    pagination::{PageArgs, cost},
    time::DateTime,
};

impl Account {
    /// Whether the viewer is this account (or the account of a session just started): the
    /// self-only fields answer for no one else, administrators included.
    fn is_viewer(&self, ctx: &Context<'_>) -> bool {
        self.owner_view || Viewer::of(ctx).account_id() == Some(self.row.id)
    }
}

/// A person who logs in. The display name and roles are public; the email and organizations are
/// shown only to the person and to administrators, and the memberships and applications to the
/// person alone. `viewer` is the signed-in person's own `Account`, so a normalized cache keeps
/// one record per person.
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

    /// Invitations to represent an organization sent to this account, oldest first; null
    /// unless the viewer is this account or an administrator. An invitation changes nothing
    /// until it is accepted with `respondToRepresentativeInvitation`.
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
        if !self.private_to(ctx) {
            return Ok(None);
        }
        let filter = representative_invitation::Column::AccountId.eq(self.row.id);
        let page = PageArgs::new(first, after, last, before);
        invitations(ctx, filter, status, page).await.map(Some)
    }

    /// When the account was created.
    async fn created_at(&self) -> DateTime {
        self.row.created_at.into()
    }

    /// The memberships this account holds, together with those held by the organizations it
    /// represents (look at `holder` to tell them apart), oldest first. Every status is
    /// included, so a lapsed membership can be renewed. Null unless the viewer is this
    /// account.
    async fn memberships(&self, ctx: &Context<'_>) -> ApiResult<Option<Vec<Membership>>> {
        if !self.is_viewer(ctx) {
            return Ok(None);
        }
        memberships_of(ctx, self.row.id).await.map(Some)
    }

    /// The applications this account submitted, and those made for the organizations it
    /// represents, oldest first. Null unless the viewer is this account.
    #[graphql(complexity = "cost(first, last, child_complexity)")]
    async fn applications(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only applications in this state.")] status: Option<ApplicationStatus>,
        #[graphql(desc = "How many applications to return, at most 100 (default 20).")]
        first: Option<i32>,
        #[graphql(desc = "Return applications after this cursor.")] after: Option<String>,
        #[graphql(desc = "How many applications to return from the end, at most 100.")]
        last: Option<i32>,
        #[graphql(desc = "Return applications before this cursor.")] before: Option<String>,
    ) -> ApiResult<Option<ApplicationConnection>> {
        if !self.is_viewer(ctx) {
            return Ok(None);
        }
        let page = PageArgs::new(first, after, last, before);
        applications_of(ctx, self.row.id, status, page)
            .await
            .map(Some)
    }
}
