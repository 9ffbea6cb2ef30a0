//! The voter roll: frozen when voting opens, and read back to find who may cast which vote.

use crate::db::Tx;
use chrono::Utc;
use entity::{
    amendment_vote::{self, VoteChoice},
    membership,
    prelude::{Membership as Memberships, VoterRoll},
    voter_roll,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QuerySelect, Set};
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
    // In chunks: one statement for 100,000 voters would pass both backends' limit on bound
    // parameters, and a few hundred rows a statement already keep the round trips few.
    for chunk in rows.chunks(INSERT_CHUNK) {
        let active = chunk.iter().cloned().map(|row| voter_roll::ActiveModel {
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

/// Roll entries written per statement: 7 parameters each, well under SQLite's 32,766 and
/// PostgreSQL's 65,535.
const INSERT_CHUNK: usize = 2_000;

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
