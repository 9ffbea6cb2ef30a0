//! Authentication and authorization: tokens, the session cookie, the viewer, roles and guards.

pub mod access;
pub mod cookie;
pub mod guards;
pub mod keys;
pub mod password;
pub mod rate_limit;
pub mod roles;
pub mod sealing;
pub mod secrets;
pub mod usage;
pub mod viewer;

pub use guards::{RoleGuard, SessionGuard, SessionOrScopeGuard};
pub use roles::{ApiScope, Role};
pub use viewer::Viewer;
