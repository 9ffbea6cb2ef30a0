//! An election's voter roll: frozen when voting opens, and read back to find who may cast which
//! ballot and how many have.

use chrono::Utc;
use entity::{
    election::{self, SeatKind},
    election_roll, election_voter, membership,
    prelude::{ElectionRoll, ElectionVoter, Membership as Memberships},
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::{
    db::Tx,
    error::ApiResult,
    ids,
    members::{
        classes::MembershipClassKey,
        status::{self, MembershipStatus},
    },
};

/// Writes the roll: for a general election every membership in good standing today, with its
/// class's or tier's weight; for the Community Director only Contributor and Mirror
/// memberships, each with weight 1.
pub async fn freeze(
    tx: &Tx,
    election: &election::Model,
    grace_days: i32,
) -> ApiResult<Vec<election_roll::Model>> {
    let mut query = Memberships::find().filter(status::condition(
        MembershipStatus::Active,
        Utc::now().date_naive(),
        grace_days,
    ));
    if election.kind == SeatKind::Community {
        query = query.filter(
            membership::Column::ClassKey
                .is_in([MembershipClassKey::Contributor, MembershipClassKey::Mirror]),
        );
    }
    let rows: Vec<election_roll::Model> = query
        .all(tx)
        .await?
        .into_iter()
        .map(|m| {
            let (weight, sponsor) = match election.kind {
                SeatKind::Community => (1, false),
                SeatKind::General => (m.vote_weight, m.class_key == MembershipClassKey::Sponsor),
            };
            election_roll::Model {
                id: ids::new_key(),
                election_id: election.id,
                membership_id: m.id,
                holder_key: m.holder_key,
                nominal_weight: weight,
                sponsor,
            }
        })
        .collect();
    for chunk in rows.chunks(500) {
        let active = chunk.iter().cloned().map(|row| election_roll::ActiveModel {
            id: Set(row.id),
            election_id: Set(row.election_id),
            membership_id: Set(row.membership_id),
            holder_key: Set(row.holder_key),
            nominal_weight: Set(row.nominal_weight),
            sponsor: Set(row.sponsor),
        });
        ElectionRoll::insert_many(active).exec(tx).await?;
    }
    Ok(rows)
}

/// The entries of `election`'s roll that `account` may cast: its own membership's, and those of
/// the organizations it represents. Read in the casting transaction, so a representative
/// removed a moment ago no longer votes.
pub async fn entries_of(
    db: &impl ConnectionTrait,
    election: Uuid,
    account: Uuid,
) -> ApiResult<Vec<election_roll::Model>> {
    let keys = crate::members::holder::holder_keys_of(db, account).await?;
    Ok(ElectionRoll::find()
        .filter(election_roll::Column::ElectionId.eq(election))
        .filter(election_roll::Column::HolderKey.is_in(keys))
        .all(db)
        .await?)
}

/// How many roll entries have voted.
pub async fn voted(db: &impl ConnectionTrait, election: Uuid) -> ApiResult<u64> {
    Ok(ElectionVoter::find()
        .filter(election_voter::Column::ElectionId.eq(election))
        .count(db)
        .await?)
}
