//! The voter roll: frozen when voting opens, and read back to find who may cast which vote.

use std::collections::BTreeSet;

use crate::db::Tx;
use chrono::Utc;
use entity::{
    amendment_vote::{self, VoteChoice},
    prelude::VoterRoll,
    voter_roll,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::{
    amendments::VoteBody,
    error::ApiResult,
    holders::Holder,
    ids,
    rolls::{self, Field, Weighting},
};

/// Writes the voter roll: members in good standing today with their weights, or the directors
/// in office (the board of record).
///
/// A members' roll is copied inside the database ([`rolls::copy_members`]). Returns how many
/// entries it wrote; [`listing`] reads them back for the audit log.
pub async fn freeze(tx: &Tx, amendment: Uuid, body: VoteBody, grace_days: i32) -> ApiResult<u64> {
    match body {
        VoteBody::Members => freeze_members(tx, amendment, grace_days).await,
        VoteBody::Board => freeze_board(tx, amendment).await,
    }
}

async fn freeze_members(tx: &Tx, amendment: Uuid, grace_days: i32) -> ApiResult<u64> {
    use voter_roll::Column as R;
    rolls::copy_members(
        tx,
        voter_roll::Entity,
        [
            R::Id,
            R::AmendmentId,
            R::MembershipId,
            R::HolderKey,
            R::NominalWeight,
            R::Sponsor,
        ],
        amendment,
        grace_days,
        Weighting::ByClass,
    )
    .await
}

/// The board of record when the vote opens: the directorships in office today (one entry per
/// director, even one holding two seats).
async fn freeze_board(tx: &Tx, amendment: Uuid) -> ApiResult<u64> {
    let directors: BTreeSet<Uuid> = crate::elections::board::in_office(tx, Utc::now().date_naive())
        .await?
        .into_iter()
        .map(|d| d.account_id)
        .collect();
    let rows: Vec<voter_roll::Model> = directors
        .into_iter()
        .map(|account_id| voter_roll::Model {
            id: ids::new_key(),
            amendment_id: amendment,
            membership_id: None,
            account_id: Some(account_id),
            holder_key: Holder::Account(account_id).key(),
            nominal_weight: 1,
            sponsor: false,
        })
        .collect();
    if rows.is_empty() {
        return Ok(0);
    }
    let written = rows.len() as u64;
    VoterRoll::insert_many(rows.into_iter().map(voter_roll::ActiveModel::from))
        .exec(tx)
        .await?;
    Ok(written)
}

/// `amendment`'s roll as the `vote.opened` audit entry lists it, one object per entry (`entry`,
/// `membership`, `account`, `weight`, `sponsor`), so that anyone can recount from the log.
pub async fn listing(db: &impl ConnectionTrait, amendment: Uuid) -> ApiResult<serde_json::Value> {
    rolls::listing(
        db,
        "voter_roll",
        "amendment_id",
        amendment,
        &[
            ("entry", "id", Field::Key),
            ("membership", "membership_id", Field::Key),
            ("account", "account_id", Field::Key),
            ("weight", "nominal_weight", Field::Int),
            ("sponsor", "sponsor", Field::Flag),
        ],
    )
    .await
}

/// What the tally needs of each entry of `amendment`'s roll, with the entry's vote if it cast
/// one: one statement, only the columns the arithmetic reads, however large the roll.
pub async fn ballots(
    db: &impl ConnectionTrait,
    amendment: Uuid,
) -> ApiResult<Vec<(i32, bool, Option<VoteChoice>)>> {
    Ok(VoterRoll::find()
        .select_only()
        .column(voter_roll::Column::NominalWeight)
        .column(voter_roll::Column::Sponsor)
        .column(amendment_vote::Column::Choice)
        .join(
            JoinType::LeftJoin,
            voter_roll::Entity::belongs_to(amendment_vote::Entity)
                .from(voter_roll::Column::Id)
                .to(amendment_vote::Column::RollEntryId)
                .into(),
        )
        .filter(voter_roll::Column::AmendmentId.eq(amendment))
        .into_tuple()
        .all(db)
        .await?)
}

/// The entries of `amendment`'s roll that `account` may cast: its own, and those of the
/// organizations it represents. Read in the voting transaction, so a representative removed a
/// moment ago no longer votes.
pub async fn entries_of(
    db: &impl ConnectionTrait,
    amendment: Uuid,
    account: Uuid,
) -> ApiResult<Vec<voter_roll::Model>> {
    let keys = crate::holders::holder_keys_of(db, account).await?;
    Ok(VoterRoll::find()
        .filter(voter_roll::Column::AmendmentId.eq(amendment))
        .filter(voter_roll::Column::HolderKey.is_in(keys))
        .all(db)
        .await?)
}

/// Every entry of `amendment`'s roll.
pub async fn entries(
    db: &impl ConnectionTrait,
    amendment: Uuid,
) -> ApiResult<Vec<voter_roll::Model>> {
    Ok(VoterRoll::find()
        .filter(voter_roll::Column::AmendmentId.eq(amendment))
        .all(db)
        .await?)
}
