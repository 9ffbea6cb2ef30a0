//! An election's voter roll: frozen when voting opens, and read back to find who may cast which
//! ballot and how many have.

use entity::{
    election::{self, SeatKind},
    election_roll, election_voter,
    prelude::{ElectionRoll, ElectionVoter},
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
    sea_query::{Expr, ExprTrait},
};
use uuid::Uuid;

use crate::{
    db::Tx,
    error::ApiResult,
    rolls::{self, Field, Weighting},
};

/// Writes the roll: for a general election every membership in good standing today, with its
/// class's or tier's weight; for the Community Director only Contributor and Mirror
/// memberships, each with weight 1. Copied inside the database ([`rolls::copy_members`]);
/// returns the roll's size and weights.
pub async fn freeze(tx: &Tx, election: &election::Model, grace_days: i32) -> ApiResult<Totals> {
    use election_roll::Column as R;
    let weighting = match election.kind {
        SeatKind::Community => Weighting::OnePerMember,
        SeatKind::General => Weighting::ByClass,
    };
    rolls::copy_members(
        tx,
        election_roll::Entity,
        [
            R::Id,
            R::ElectionId,
            R::MembershipId,
            R::HolderKey,
            R::NominalWeight,
            R::Sponsor,
        ],
        election.id,
        grace_days,
        weighting,
    )
    .await?;
    totals(tx, election.id).await
}

/// The size of a frozen roll and the weights on it, which fix the sponsor scale.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Totals {
    /// Entries on the roll.
    pub size: u64,
    /// The nominal weight of the Sponsor memberships on it.
    pub sponsor_weight: f64,
    /// The nominal weight of every other membership on it.
    pub other_weight: f64,
}

/// [`Totals`] of `election`'s roll: one aggregate statement.
async fn totals(db: &impl ConnectionTrait, election: Uuid) -> ApiResult<Totals> {
    use election_roll::Column as R;
    let weight_where = |sponsor: bool| {
        Expr::case(R::Sponsor.eq(sponsor), Expr::col(R::NominalWeight))
            .finally(Expr::val(0))
            .sum()
    };
    let (size, sponsor, other): (i64, Option<i64>, Option<i64>) = ElectionRoll::find()
        .select_only()
        .expr(Expr::col(R::Id).count())
        .expr(weight_where(true))
        .expr(weight_where(false))
        .filter(R::ElectionId.eq(election))
        .into_tuple()
        .one(db)
        .await?
        .unwrap_or_default();
    Ok(Totals {
        size: u64::try_from(size).unwrap_or_default(),
        sponsor_weight: sponsor.unwrap_or_default() as f64,
        other_weight: other.unwrap_or_default() as f64,
    })
}

/// `election`'s roll as the audit entry that opens the voting lists it, one object per entry
/// (`entry`, `membership`, `weight`, `sponsor`), so that anyone can recount from the log.
pub async fn listing(db: &impl ConnectionTrait, election: Uuid) -> ApiResult<serde_json::Value> {
    rolls::listing(
        db,
        "election_roll",
        "election_id",
        election,
        &[
            ("entry", "id", Field::Key),
            ("membership", "membership_id", Field::Key),
            ("weight", "nominal_weight", Field::Int),
            ("sponsor", "sponsor", Field::Flag),
        ],
    )
    .await
}

/// The entries of `election`'s roll that `account` may cast: its own membership's, and those of
/// the organizations it represents. Read in the casting transaction, so a representative
/// removed a moment ago no longer votes.
pub async fn entries_of(
    db: &impl ConnectionTrait,
    election: Uuid,
    account: Uuid,
) -> ApiResult<Vec<election_roll::Model>> {
    let keys = crate::holders::holder_keys_of(db, account).await?;
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
