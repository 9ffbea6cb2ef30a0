//! The `Mirror` and `MirrorVerification` GraphQL types.

use async_graphql::{Context, ID, Object};
use entity::{mirror, mirror_verification};

use crate::{
    accounts::{loader::AccountLoader, types::Account},
    auth::Viewer,
    error::ApiResult,
    holders::{Holder, types::MembershipHolder},
    ids::{self, NodeKind},
    loaders::{cached_loader, loader},
    members::rules::mirror_status_now,
    mirrors::{commands::may_verify, loader::VerificationsLoader},
    policy::loader::policy,
    time::DateTime,
};

/// Where a mirror stands, and what one check found: one type each for the column, the domain
/// and GraphQL.
pub use entity::{mirror::MirrorStatus, mirror_verification::VerificationOutcome};

/// The mirror row, wrapped so that no column becomes API by accident.
#[derive(Clone, Debug)]
pub struct Mirror(pub mirror::Model);

impl NodeKind for Mirror {
    const KIND: &'static str = "Mirror";
}

impl Mirror {
    pub fn owner_entity(&self) -> ApiResult<Holder> {
        Holder::from_columns(self.0.owner_account_id, self.0.owner_organization_id)
    }

    /// Whether the viewer may see this mirror: verified mirrors (not overdue for their re-check)
    /// are public; others are for their owner, the Technology Committee and the `ADMIN`s.
    pub async fn visible(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        let recheck_months = policy(ctx).await?.mirror_recheck_months;
        if mirror_status_now(&self.0, recheck_months) == MirrorStatus::Verified
            || may_verify(Viewer::of(ctx))
        {
            return Ok(true);
        }
        self.owner_entity()?.is_viewer(ctx).await
    }
}

/// A host that carries the project's files.
#[Object]
impl Mirror {
    /// The mirror's opaque global ID.
    pub async fn id(&self) -> ID {
        ids::id_of::<Self>(self.0.id)
    }

    /// The mirror's DNS host name.
    async fn host_name(&self) -> &str {
        &self.0.host_name
    }

    /// The http(s) base URL.
    async fn http_url(&self) -> &str {
        &self.0.http_url
    }

    /// The rsync base URL, if it offers one.
    async fn rsync_url(&self) -> Option<&str> {
        self.0.rsync_url.as_deref()
    }

    /// The ftp base URL, if it offers one.
    async fn ftp_url(&self) -> Option<&str> {
        self.0.ftp_url.as_deref()
    }

    /// Where it is, as an ISO 3166-1 alpha-2 code.
    async fn country(&self) -> &str {
        &self.0.country
    }

    /// How often it syncs, in hours.
    async fn update_frequency_hours(&self) -> i32 {
        self.0.update_frequency_hours
    }

    /// Its status now.
    async fn status(&self, ctx: &Context<'_>) -> ApiResult<MirrorStatus> {
        Ok(mirror_status_now(
            &self.0,
            policy(ctx).await?.mirror_recheck_months,
        ))
    }

    /// When it was last found good.
    async fn last_verified_at(&self) -> Option<DateTime> {
        self.0.last_verified_at.map(DateTime)
    }

    /// Who runs it; null unless the viewer is the owner, on the Technology Committee or an
    /// `ADMIN`, since owners may keep their membership undisclosed.
    async fn owner(&self, ctx: &Context<'_>) -> ApiResult<Option<MembershipHolder>> {
        let owner = self.owner_entity()?;
        if !may_verify(Viewer::of(ctx)) && !owner.is_viewer(ctx).await? {
            return Ok(None);
        }
        owner.load(ctx).await
    }

    /// Every check of the mirror, newest first. For the owner, the Technology Committee and the
    /// `ADMIN`s; others see an empty list.
    async fn verifications(&self, ctx: &Context<'_>) -> ApiResult<Vec<MirrorVerification>> {
        if !may_verify(Viewer::of(ctx)) && !self.owner_entity()?.is_viewer(ctx).await? {
            return Ok(Vec::new());
        }
        Ok(loader::<VerificationsLoader>(ctx)?
            .load_one(self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(MirrorVerification)
            .collect())
    }

    /// When it was registered.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
}

/// The verification row.
#[derive(Clone, Debug)]
pub struct MirrorVerification(pub mirror_verification::Model);

/// One check of a mirror by the Technology Committee.
#[Object]
impl MirrorVerification {
    /// The outcome.
    async fn outcome(&self) -> VerificationOutcome {
        self.0.outcome
    }

    /// What the checker noted.
    async fn notes(&self) -> &str {
        &self.0.notes
    }

    /// When it was checked.
    async fn checked_at(&self) -> DateTime {
        self.0.checked_at.into()
    }

    /// The committee member who checked.
    async fn checked_by(&self, ctx: &Context<'_>) -> ApiResult<Option<Account>> {
        Ok(cached_loader::<AccountLoader>(ctx)?
            .load_one(self.0.checked_by)
            .await?
            .map(Account::new))
    }

    /// The global ID of the committee member who checked (`checkedBy { id }`).
    async fn checked_by_id(&self) -> ID {
        ids::encode("Account", self.0.checked_by)
    }
}

crate::connection!(MirrorConnection, MirrorEdge, Mirror);
