//! The entities, re-exported for `use entity::prelude::*`.

pub use crate::{
    account::Entity as Account, account_role::Entity as AccountRole, api_token::Entity as ApiToken,
    audit_event::Entity as AuditEvent, audit_head::Entity as AuditHead,
    organization::Entity as Organization,
    organization_representative::Entity as OrganizationRepresentative,
    refresh_token::Entity as RefreshToken, session::Entity as Session,
};
