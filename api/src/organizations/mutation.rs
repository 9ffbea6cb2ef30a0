//! Creating organizations and managing their representatives.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use uuid::Uuid;

use crate::{
    accounts::{
        input::display_name,
        types::{Account, RepresentativeInvitation},
    },
    auth::SessionGuard,
    error::ApiResult,
    ids::key_of,
    organizations::{
        commands::{self, NewOrganization, OrganizationChange},
        input::optional_web_url,
        types::Organization,
    },
    resolve::run,
};

#[derive(Default)]
pub struct OrganizationMutation;

/// Input of `createOrganization`.
#[derive(InputObject)]
pub struct CreateOrganizationInput {
    /// The organization's name.
    pub name: String,
    /// Its website: an http or https URL.
    pub website_url: Option<String>,
    /// Its logo: an http or https URL.
    pub logo_url: Option<String>,
}

/// Input of `updateOrganization`: each field left out keeps its value.
#[derive(InputObject)]
pub struct UpdateOrganizationInput {
    /// The organization.
    pub organization_id: ID,
    /// Its new name.
    pub name: Option<String>,
    /// Its website: an http or https URL; null removes it.
    pub website_url: MaybeUndefined<String>,
    /// Its logo: an http or https URL; null removes it.
    pub logo_url: MaybeUndefined<String>,
}

/// Input of `addRepresentative` and `removeRepresentative`.
#[derive(InputObject)]
pub struct RepresentativeInput {
    /// The organization.
    pub organization_id: ID,
    /// The account invited to act for it, or that stops acting for it.
    pub account_id: ID,
}

/// Input of `respondToRepresentativeInvitation`.
#[derive(InputObject)]
pub struct RespondToRepresentativeInvitationInput {
    /// The invitation, from `viewer { representativeInvitations }`.
    pub invitation_id: ID,
    /// True to become a representative; false to decline.
    pub accept: bool,
}

/// Input of `cancelRepresentativeInvitation`.
#[derive(InputObject)]
pub struct CancelRepresentativeInvitationInput {
    /// The pending invitation to withdraw.
    pub invitation_id: ID,
}

/// What `addRepresentative` answers: the organization, unchanged until the invitation is
/// accepted, and the invitation.
#[derive(SimpleObject)]
pub struct AddRepresentativePayload {
    /// The organization.
    pub organization: Organization,
    /// The invitation sent, PENDING until the invited person answers.
    pub invitation: RepresentativeInvitation,
}

/// An invitation after an answer or a withdrawal.
#[derive(SimpleObject)]
pub struct RepresentativeInvitationPayload {
    /// The invitation.
    pub invitation: RepresentativeInvitation,
}

/// The organization after a change.
#[derive(SimpleObject)]
pub struct OrganizationPayload {
    /// The organization.
    pub organization: Organization,
}

#[Object]
impl OrganizationMutation {
    /// Creates an organization; the creator becomes its first representative. Audited.
    #[graphql(guard = "SessionGuard")]
    async fn create_organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation\'s input.")] input: CreateOrganizationInput,
    ) -> ApiResult<OrganizationPayload> {
        let new = NewOrganization {
            name: display_name(&input.name, &crate::field!(input.name))?,
            website_url: optional_web_url(
                input.website_url.as_deref(),
                &crate::field!(input.website_url),
            )?,
            logo_url: optional_web_url(input.logo_url.as_deref(), &crate::field!(input.logo_url))?,
        };
        let organization = run(ctx, new, commands::create).await?;
        Ok(OrganizationPayload {
            organization: Organization(organization),
        })
    }

    /// Changes an organization's name, website or logo. For its representatives and
    /// administrators (anyone else is `FORBIDDEN`); audited.
    #[graphql(guard = "SessionGuard")]
    async fn update_organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: UpdateOrganizationInput,
    ) -> ApiResult<OrganizationPayload> {
        let organization_id = key_of::<Organization>(
            &input.organization_id,
            &crate::field!(input.organization_id),
        )?;
        let url =
            |value: &MaybeUndefined<String>, field: &str| -> ApiResult<Option<Option<String>>> {
                match value {
                    MaybeUndefined::Undefined => Ok(None),
                    MaybeUndefined::Null => Ok(Some(None)),
                    MaybeUndefined::Value(text) => Ok(Some(optional_web_url(Some(text), field)?)),
                }
            };
        let change = OrganizationChange {
            name: input
                .name
                .as_deref()
                .map(|name| display_name(name, &crate::field!(input.name)))
                .transpose()?,
            website_url: url(&input.website_url, &crate::field!(input.website_url))?,
            logo_url: url(&input.logo_url, &crate::field!(input.logo_url))?,
        };
        let organization = run(ctx, change, async |tx, viewer, change| {
            commands::update(tx, viewer, organization_id, change).await
        })
        .await?;
        Ok(OrganizationPayload {
            organization: Organization(organization),
        })
    }

    /// Invites an account to act for the organization as one of its representatives. For the
    /// organization's representatives and administrators. Nothing changes until the invited
    /// person accepts with `respondToRepresentativeInvitation`: an invitation has no effect on
    /// eligibility, the own-case rule, rights or mail. Audited; the person is told by mail.
    #[graphql(guard = "SessionGuard")]
    async fn add_representative(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: RepresentativeInput,
    ) -> ApiResult<AddRepresentativePayload> {
        let (organization_id, account_id) = keys(&input)?;
        let (organization, invitation) = run(ctx, account_id, async |tx, viewer, account_id| {
            commands::invite_representative(tx, viewer, organization_id, account_id).await
        })
        .await?;
        Ok(AddRepresentativePayload {
            organization: Organization(organization),
            invitation: RepresentativeInvitation(invitation),
        })
    }

    /// The invited person accepts or declines an invitation to represent an organization.
    /// Accepting makes them a representative from now on. Only the invited person may answer.
    #[graphql(guard = "SessionGuard")]
    async fn respond_to_representative_invitation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: RespondToRepresentativeInvitationInput,
    ) -> ApiResult<RepresentativeInvitationPayload> {
        let invitation_id = key_of::<RepresentativeInvitation>(
            &input.invitation_id,
            &crate::field!(input.invitation_id),
        )?;
        let invitation = run(ctx, input.accept, async |tx, viewer, value| {
            commands::respond_to_invitation(tx, viewer, invitation_id, value).await
        })
        .await?;
        Ok(RepresentativeInvitationPayload {
            invitation: RepresentativeInvitation(invitation),
        })
    }

    /// Withdraws an invitation that has not been answered yet. For the organization's
    /// representatives and administrators.
    #[graphql(guard = "SessionGuard")]
    async fn cancel_representative_invitation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: CancelRepresentativeInvitationInput,
    ) -> ApiResult<RepresentativeInvitationPayload> {
        let invitation_id = key_of::<RepresentativeInvitation>(
            &input.invitation_id,
            &crate::field!(input.invitation_id),
        )?;
        let invitation = run(ctx, invitation_id, commands::cancel_invitation).await?;
        Ok(RepresentativeInvitationPayload {
            invitation: RepresentativeInvitation(invitation),
        })
    }

    /// Removes a representative. For the organization's representatives and administrators. An
    /// organization keeps at least one representative.
    #[graphql(guard = "SessionGuard")]
    async fn remove_representative(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation\'s input.")] input: RepresentativeInput,
    ) -> ApiResult<OrganizationPayload> {
        let (organization_id, account_id) = keys(&input)?;
        let organization = run(ctx, account_id, async |tx, viewer, account_id| {
            commands::remove_representative(tx, viewer, organization_id, account_id).await
        })
        .await?;
        Ok(OrganizationPayload {
            organization: Organization(organization),
        })
    }
}

fn keys(input: &RepresentativeInput) -> ApiResult<(Uuid, Uuid)> {
    Ok((
        key_of::<Organization>(
            &input.organization_id,
            &crate::field!(input.organization_id),
        )?,
        key_of::<Account>(&input.account_id, &crate::field!(input.account_id))?,
    ))
}
