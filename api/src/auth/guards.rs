//! Guards that make each role check visible on the resolver it protects.

use async_graphql::{Context, Guard};

use crate::{
    auth::{
        roles::{ApiScope, Role},
        viewer::Viewer,
    },
    error::ApiError,
};

/// Only a logged-in person holding one of the roles passes. API tokens never pass.
///
/// `#[graphql(guard = "RoleGuard::new(Role::TechnologyCommittee)")]`
pub struct RoleGuard {
    roles: Vec<Role>,
}

impl RoleGuard {
    pub fn new(role: Role) -> Self {
        Self { roles: vec![role] }
    }

    /// Any one of `roles` is enough.
    pub fn any(roles: &[Role]) -> Self {
        Self {
            roles: roles.to_vec(),
        }
    }
}

impl Guard for RoleGuard {
    async fn check(&self, ctx: &Context<'_>) -> async_graphql::Result<()> {
        let viewer = Viewer::of(ctx);
        viewer.require_account()?;
        if self.roles.iter().any(|role| viewer.has_role(*role)) {
            return Ok(());
        }
        let titles: Vec<_> = self.roles.iter().map(|role| role.title()).collect();
        Err(ApiError::forbidden(format!("Only {} may do this.", titles.join(" or "))).into())
    }
}

/// Only a logged-in person passes: not anonymous callers, not API tokens.
///
/// `#[graphql(guard = "SessionGuard")]`
pub struct SessionGuard;

impl Guard for SessionGuard {
    async fn check(&self, ctx: &Context<'_>) -> async_graphql::Result<()> {
        Viewer::of(ctx).require_account()?;
        Ok(())
    }
}

/// A logged-in person, or an integration holding `scope`, passes. What either may reach is the
/// resolver's to decide (a person's organizations, the integration's owner).
///
/// `#[graphql(guard = "SessionOrScopeGuard(ApiScope::WebhooksManage)")]`
pub struct SessionOrScopeGuard(pub ApiScope);

impl Guard for SessionOrScopeGuard {
    async fn check(&self, ctx: &Context<'_>) -> async_graphql::Result<()> {
        let viewer = Viewer::of(ctx);
        if viewer.integration().is_some() && viewer.has_scope(self.0) {
            return Ok(());
        }
        if viewer.integration().is_some() {
            return Err(ApiError::forbidden(format!(
                "this integration lacks the {} scope",
                self.0.name()
            ))
            .into());
        }
        viewer.require_account()?;
        Ok(())
    }
}
