//! Who may see what of an election: drafts, nominations not yet accepted, and why a nominee is
//! ineligible. The queries, the subscription and the GraphQL types all ask here.

use entity::{
    election::{self, ElectionState},
    nomination::{self, NominationResponse},
};

use crate::auth::{ApiScope, Role, Viewer};

/// Whether `viewer` may see the election: drafts are for the election committee and
/// administrators; the rest is public, except to a token or integration without
/// `ELECTIONS_READ`.
pub fn election_visible(row: &election::Model, viewer: &Viewer) -> bool {
    if matches!(viewer, Viewer::ApiToken(_)) && !viewer.has_scope(ApiScope::ElectionsRead) {
        return false;
    }
    row.state != ElectionState::Draft
        || viewer.has_role(Role::ElectionCommittee)
        || viewer.has_role(Role::Admin)
}

/// Whether `viewer` may see the nomination: an accepted one is public (the nominee agreed to be
/// named); a pending or declined one only the election committee, the nominee and the
/// nominator see.
pub fn nomination_visible(row: &nomination::Model, viewer: &Viewer) -> bool {
    row.response == NominationResponse::Accepted
        || viewer.has_role(Role::ElectionCommittee)
        || viewer
            .account_id()
            .is_some_and(|me| me == row.nominee_account_id || me == row.nominated_by)
}

/// Whether `viewer` may read why a nominee is ineligible: the nominee, the election committee
/// and administrators (who may take the committee's decisions); everyone else sees only whether
/// they are eligible, since the reason can tell an undisclosed member from a non-member.
pub fn standing_reason_visible(row: &nomination::Model, viewer: &Viewer) -> bool {
    viewer.has_role(Role::ElectionCommittee)
        || viewer.has_role(Role::Admin)
        || viewer.account_id() == Some(row.nominee_account_id)
}

/// Whether `viewer` may read the nominee's standing at all (`eligible`, `eligibility`): once
/// they accepted, everyone (accepting names them as a candidate, and an undisclosed member
/// agrees to that); before, only those who may read the reason. A nominator learns nothing of
/// whom they nominated, since an undisclosed member's standing would tell them apart from a
/// non-member.
pub fn standing_visible(row: &nomination::Model, viewer: &Viewer) -> bool {
    row.response == NominationResponse::Accepted || standing_reason_visible(row, viewer)
}
