//! Registering mirrors and verifying them.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};

use crate::{
    auth::{Role, RoleGuard, SessionGuard, Viewer},
    error::ApiResult,
    holders::Holder,
    ids::key_of,
    mirrors::{
        commands::{self, RegisterMirror, VerifyMirror},
        input::{country, host_name, update_frequency, url_on_host},
        types::{Mirror, VerificationOutcome},
    },
    organizations::types::Organization,
    resolve::run,
};

#[derive(Default)]
pub struct MirrorMutation;

/// Input of `registerMirror`.
#[derive(InputObject)]
pub struct RegisterMirrorInput {
    /// The mirror's DNS host name.
    pub host_name: String,
    /// The http(s) base URL, on that host.
    pub http_url: String,
    /// An rsync base URL, on that host.
    pub rsync_url: Option<String>,
    /// An ftp base URL, on that host.
    pub ftp_url: Option<String>,
    /// Where it is: an ISO 3166-1 alpha-2 code such as `DE`.
    pub country: String,
    /// How often it syncs, in hours (1 to 168); 6 when left out.
    pub update_frequency_hours: Option<i32>,
    /// Register it for this organization (its representatives only); leave out for yourself.
    pub organization_id: Option<ID>,
}

/// Input of `verifyMirror`.
#[derive(InputObject)]
pub struct VerifyMirrorInput {
    /// The mirror checked.
    pub mirror_id: ID,
    /// What the check found.
    pub outcome: VerificationOutcome,
    /// What the checker noted.
    pub notes: Option<String>,
}

/// The mirror after the change.
#[derive(SimpleObject)]
pub struct MirrorPayload {
    /// The mirror.
    pub mirror: Mirror,
}

#[Object]
impl MirrorMutation {
    /// Registers a mirror, owned by the viewer or an organization they represent. It starts
    /// `PENDING` until the Technology Committee checks it.
    #[graphql(guard = "SessionGuard")]
    async fn register_mirror(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: RegisterMirrorInput,
    ) -> ApiResult<MirrorPayload> {
        let viewer = Viewer::of(ctx);
        let me = viewer.require_account()?;
        let owner = match &input.organization_id {
            Some(id) => Holder::Organization(key_of::<Organization>(
                id,
                &crate::field!(input.organization_id),
            )?),
            None => Holder::Account(me.id),
        };
        let host = host_name(&input.host_name, &crate::field!(input.host_name))?;
        let http_url = url_on_host(
            &input.http_url,
            &["http", "https"],
            &host,
            &crate::field!(input.http_url),
        )?;
        let rsync_url = input
            .rsync_url
            .as_deref()
            .filter(|url| !url.trim().is_empty())
            .map(|url| url_on_host(url, &["rsync"], &host, &crate::field!(input.rsync_url)))
            .transpose()?;
        let ftp_url = input
            .ftp_url
            .as_deref()
            .filter(|url| !url.trim().is_empty())
            .map(|url| url_on_host(url, &["ftp"], &host, &crate::field!(input.ftp_url)))
            .transpose()?;
        let registration = RegisterMirror {
            owner,
            host_name: host,
            http_url,
            rsync_url,
            ftp_url,
            country: country(&input.country, &crate::field!(input.country))?,
            update_frequency_hours: update_frequency(
                input.update_frequency_hours.unwrap_or(6),
                &crate::field!(input.update_frequency_hours),
            )?,
        };
        let row = run(ctx, registration, commands::register).await?;
        Ok(MirrorPayload {
            mirror: Mirror(row),
        })
    }

    /// Records a check of a mirror. For the Technology Committee, or an `ADMIN`. A good check
    /// verifies the mirror and renews its owner's Mirror membership; a failed re-check makes a
    /// verified mirror `STALE`, and an owner left with no verified mirror goes into grace.
    ///
    /// No one decides their own case: nobody checks a mirror they own, one they registered, or
    /// one owned by an organization they represent (`FORBIDDEN`). Another member of the
    /// Technology Committee or an `ADMIN` must.
    #[graphql(guard = "RoleGuard::any(&[Role::TechnologyCommittee, Role::Admin])")]
    async fn verify_mirror(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The operation's input.")] input: VerifyMirrorInput,
    ) -> ApiResult<MirrorPayload> {
        let check = VerifyMirror {
            mirror_id: key_of::<Mirror>(&input.mirror_id, &crate::field!(input.mirror_id))?,
            outcome: input.outcome,
            notes: crate::input::optional_text(
                input.notes.as_deref(),
                &crate::field!(input.notes),
                5000,
            )?
            .unwrap_or_default(),
        };
        let row = run(ctx, check, commands::verify).await?;
        Ok(MirrorPayload {
            mirror: Mirror(row),
        })
    }
}
