//! Quorum's database entities: one module per table.

pub mod account;
pub mod account_role;
pub mod api_token;
pub mod application;
pub mod application_mirror;
pub mod audit_event;
pub mod audit_head;
pub mod contribution;
pub mod governance_policy;
pub mod membership;
pub mod membership_class;
pub mod mirror;
pub mod mirror_verification;
pub mod organization;
pub mod organization_representative;
pub mod prelude;
pub mod refresh_token;
pub mod session;
pub mod sponsor_activity;
pub mod sponsor_tier;
pub mod sponsorship;
