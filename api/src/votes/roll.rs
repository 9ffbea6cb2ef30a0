//! The voter roll: frozen when voting opens, and read back to find who may cast which vote.

use crate::db::Tx;
use chrono::Utc;
use entity::{
    membership,
    prelude::{Membership as Memberships, VoterRoll},
    voter_roll,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::{
    amendments::VoteBody,
    error::ApiResult,
    ids,
    members::{
        classes::MembershipClassKey,
        holder::Holder,
        status::{self, MembershipStatus},
    },
};

/// Writes the voter roll: members in good standing today with their weights, or the directors
/// in office (the board of record).
pub async fn freeze(
    tx: &Tx,
    amendment: Uuid,
    body: VoteBody,
    grace_days: i32,
) -> ApiResult<Vec<voter_roll::Model>> {
    let rows: Vec<voter_roll::Model> = match body {
        VoteBody::Members => Memberships::find()
            .filter(status::condition(
                MembershipStatus::Active,
                Utc::now().date_naive(),
                grace_days,
            ))
            .all(tx)
            .await?
            .into_iter()
            .map(|m: membership::Model| voter_roll::Model {
                id: ids::new_key(),
                amendment_id: amendment,
                membership_id: Some(m.id),
                account_id: None,
                sponsor: m.class_key == MembershipClassKey::Sponsor,
                holder_key: m.holder_key,
                nominal_weight: m.vote_weight,
            })
            .collect(),
        // The board of record when the vote opens: the directorships in office today (one
        // entry per director, even one holding two seats).
        VoteBody::Board => crate::elections::board::in_office(tx, Utc::now().date_naive())
            .await?
            .into_iter()
            .map(|d| d.account_id)
            .collect::<std::collections::BTreeSet<_>>()
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
            .collect(),
    };
    if !rows.is_empty() {
        let active = rows.iter().cloned().map(|row| voter_roll::ActiveModel {
            id: Set(row.id),
            amendment_id: Set(row.amendment_id),
            membership_id: Set(row.membership_id),
            account_id: Set(row.account_id),
            holder_key: Set(row.holder_key),
            nominal_weight: Set(row.nominal_weight),
            sponsor: Set(row.sponsor),
        });
        VoterRoll::insert_many(active).exec(tx).await?;
    }
    Ok(rows)
}

/// The entries of `amendment`'s roll that `account` may cast: its own, and those of the
/// organizations it represents. Read in the voting transaction, so a representative removed a
/// moment ago no longer votes.
pub async fn entries_of(
    db: &impl ConnectionTrait,
    amendment: Uuid,
    account: Uuid,
) -> ApiResult<Vec<voter_roll::Model>> {
    let keys = crate::members::holder::holder_keys_of(db, account).await?;
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
