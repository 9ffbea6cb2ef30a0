//! An election's voter roll: frozen when voting opens, and read back to find who may cast which
//! ballot and how many have.

use chrono::Utc;
use entity::{
    election::{self, SeatKind},
    election_roll, election_voter, membership,
    prelude::{ElectionRoll, ElectionVoter},
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    sea_query::{Expr, Query},
};
use uuid::Uuid;

use crate::{
    db::Tx,
    error::{ApiError, ApiResult},
    ids,
    members::{
        classes::MembershipClassKey,
        status::{self, MembershipStatus},
    },
};

/// Writes the roll: for a general election every membership in good standing today, with its
/// class's or tier's weight; for the Community Director only Contributor and Mirror
/// memberships, each with weight 1. Copied inside the database by one `INSERT … SELECT …
/// RETURNING`, each entry keyed by a random id the database draws.
pub async fn freeze(
    tx: &Tx,
    election: &election::Model,
    grace_days: i32,
) -> ApiResult<Vec<election_roll::Model>> {
    use election_roll::Column as R;
    use membership::Column as M;
    let backend = tx.get_database_backend();
    let mut members = Query::select();
    members
        .expr(ids::random_key(backend))
        .expr(Expr::val(election.id))
        .column(M::Id)
        .column(M::HolderKey)
        .from(membership::Entity)
        .cond_where(status::condition(
            MembershipStatus::Active,
            Utc::now().date_naive(),
            grace_days,
        ));
    match election.kind {
        SeatKind::Community => {
            members.expr(Expr::val(1)).expr(Expr::val(false)).and_where(
                M::ClassKey.is_in([MembershipClassKey::Contributor, MembershipClassKey::Mirror]),
            );
        }
        SeatKind::General => {
            members
                .column(M::VoteWeight)
                .expr(M::ClassKey.eq(MembershipClassKey::Sponsor));
        }
    }
    let insert = Query::insert()
        .into_table(election_roll::Entity)
        .columns([
            R::Id,
            R::ElectionId,
            R::MembershipId,
            R::HolderKey,
            R::NominalWeight,
            R::Sponsor,
        ])
        .select_from(members)
        .map_err(ApiError::internal)?
        .returning_all()
        .to_owned();
    Ok(ElectionRoll::find()
        .from_raw_sql(backend.build(&insert))
        .all(tx)
        .await?)
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
