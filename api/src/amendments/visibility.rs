//! Who may see an amendment.

use entity::{amendment, amendment::AmendmentStatus};

use crate::auth::{Role, Viewer};

/// Whether `viewer` may see the amendment: drafts are for their proposer and the secretary.
pub fn visible_to(row: &amendment::Model, viewer: &Viewer) -> bool {
    row.status != AmendmentStatus::Draft
        || viewer.account_id() == Some(row.proposer_id)
        || viewer.has_role(Role::Secretary)
}
