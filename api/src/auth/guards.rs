//! Guards that make each role check visible on the resolver it protects.

use async_graphql::{Context, Guard};

use crate::{
    auth::{roles::Role, viewer::Viewer},
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
