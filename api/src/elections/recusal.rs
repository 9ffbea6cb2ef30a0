//! The election committee recuses itself: a person who is a nominee in an election, or who
//! represents an organization a nominee represents, takes no decision in it (opening, closing,
//! certifying, cancelling it, or disqualifying anyone). Another member of the committee or an
//! ADMIN decides instead. The rule holds for every decider, an ADMIN included.

use std::collections::HashSet;

use entity::{
    nomination::{self, NominationResponse},
    prelude::Nomination,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::{
    auth::Viewer,
    elections::{board, eligibility},
    error::{ApiError, ApiResult},
};

/// Why a decider must step aside.
#[derive(Debug, PartialEq, Eq)]
pub enum Interest {
    /// The decider is nominated (and has not declined).
    Nominee,
    /// The decider represents an organization a nominee represents or declared.
    SharedOrganization,
}

/// `FORBIDDEN` when the viewer has an interest in election `election`: their own nomination, or
/// an organization they share with a nominee. Call it in the decision's transaction, under the
/// election's lock, so that the nominee list it reads is the one the decision acts on.
pub async fn require_impartial(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    election: Uuid,
) -> ApiResult<()> {
    let me = viewer.require_account()?;
    match interest(db, me.id, election).await? {
        None => Ok(()),
        Some(Interest::Nominee) => Err(ApiError::forbidden(
            "You are a nominee in this election, so you take no decision in it; another member \
             of the election committee or an administrator must.",
        )),
        Some(Interest::SharedOrganization) => Err(ApiError::forbidden(
            "You represent an organization that a nominee in this election represents, so you \
             take no decision in it; another member of the election committee or an \
             administrator must.",
        )),
    }
}

/// The interest `account` has in `election`, if any.
pub async fn interest(
    db: &impl ConnectionTrait,
    account: Uuid,
    election: Uuid,
) -> ApiResult<Option<Interest>> {
    let nominations = Nomination::find()
        .filter(nomination::Column::ElectionId.eq(election))
        .filter(nomination::Column::Response.ne(NominationResponse::Declined))
        .all(db)
        .await?;
    if nominations.iter().any(|n| n.nominee_account_id == account) {
        return Ok(Some(Interest::Nominee));
    }
    let mine: HashSet<Uuid> = board::represented(db, [account])
        .await?
        .remove(&account)
        .unwrap_or_default();
    if mine.is_empty() {
        return Ok(None);
    }
    let nominees: Vec<&nomination::Model> = nominations.iter().collect();
    let shared = eligibility::organizations_of(db, &nominees)
        .await?
        .values()
        .flatten()
        .any(|organization| mine.contains(organization));
    Ok(shared.then_some(Interest::SharedOrganization))
}
