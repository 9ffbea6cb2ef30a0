//! Whether an amendment must go to the members' vote, and why: the server decides this from the
//! sections it touches, and the secretary's flag can only add to it.

use async_graphql::Enum;
use entity::amendment;
use sea_orm::ConnectionTrait;

use crate::{amendments::changes::changes, bylaws::db, error::ApiResult};

/// Why an amendment must go to the members' vote.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum MembersVoteReason {
    /// It replaces or deletes a section that defines membership rights, or inserts or replaces
    /// a section marked as defining them. The secretary cannot lift this.
    TouchesMembershipRights,
    /// The secretary marked it as changing a membership class's rights.
    MarkedBySecretary,
}

/// Why `row` must go to the members' vote; `None` when the board may decide it. The sections
/// decide first, read in `row`'s base version.
pub async fn members_vote_reason(
    db: &impl ConnectionTrait,
    row: &amendment::Model,
) -> ApiResult<Option<MembersVoteReason>> {
    let base = db::document(db, row.base_version).await?;
    if base.rights_touched(&changes(db, row.id).await?) {
        return Ok(Some(MembersVoteReason::TouchesMembershipRights));
    }
    Ok(row
        .affects_membership_rights
        .then_some(MembersVoteReason::MarkedBySecretary))
}
