//! An election's published result: the ballots as published after the close, their BLT export,
//! and the count over them. The close counts through here and the result's GraphQL fields read
//! through here, so what is published is exactly what was counted.

use entity::{election, prelude::ElectionBallot};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{
    bylaws::tally::sponsor_scale,
    elections::{
        blt::{annotated, to_blt},
        count::{self, Ballot, Candidate},
        eligibility,
        fixed::Fixed,
        node_ids::nomination_id_text,
        record::{FrozenRules, StoredResult, ballot_weight},
    },
    error::{ApiError, ApiResult},
};

/// The ballots of an election as published: every ballot with its receipt hash, its ranking
/// (nomination ids) and the weight it counts with, in the published (random) order.
pub struct Published {
    pub receipt_hash: String,
    pub ranking: Vec<Uuid>,
    pub weight: Fixed,
}

/// The published ballots of an election, ordered by receipt hash: an order that owes nothing to
/// when or by whom a ballot was cast.
pub async fn published_ballots(
    db: &impl ConnectionTrait,
    election: Uuid,
    scale: f64,
) -> ApiResult<Vec<Published>> {
    let rows = ElectionBallot::find()
        .filter(entity::election_ballot::Column::ElectionId.eq(election))
        .order_by_asc(entity::election_ballot::Column::ReceiptHash)
        .all(db)
        .await?;
    rows.into_iter()
        .map(|row| {
            let ranking: Vec<Uuid> =
                serde_json::from_str(&row.ranking).map_err(ApiError::internal)?;
            Ok(Published {
                weight: ballot_weight(row.nominal_weight, row.sponsor, scale),
                receipt_hash: row.receipt_hash,
                ranking,
            })
        })
        .collect()
}

/// The count's input and output.
pub struct Counted {
    pub result: StoredResult,
    pub blt: String,
}

/// The BLT export of the published ballots over `candidates` (nomination ids in ballot order),
/// named by their nomination IDs; ballots that count for nothing (a sponsor's ballot scaled to
/// zero) are left out, and rankings keep only the candidates.
pub fn blt_of(
    title: &str,
    seats: usize,
    candidates: &[Uuid],
    ballots: &[Published],
) -> (Vec<Candidate>, Vec<Ballot>, String) {
    let names: Vec<Candidate> = candidates
        .iter()
        .map(|c| Candidate::new(nomination_id_text(*c)))
        .collect();
    let counted: Vec<Ballot> = ballots
        .iter()
        .filter(|b| b.weight > Fixed::ZERO)
        .map(|b| {
            let ranking = b
                .ranking
                .iter()
                .filter_map(|n| candidates.iter().position(|c| c == n))
                .collect();
            Ballot::new(b.weight, ranking)
        })
        .collect();
    let text = to_blt(title, &names, seats, &counted);
    (names, counted, text)
}

/// The BLT export as published with a result: [`blt_of`]'s text (what the seed hashes) with the
/// count's draw order as Droop's `[tie …]` option and the nominees the organization rule
/// excluded as withdrawn candidates, so that another counter reading the file alone elects the
/// same (see [`annotated`]).
pub fn published_blt(plain: &str, candidates: &[Uuid], result: &StoredResult) -> String {
    let index = |id: &Uuid| candidates.iter().position(|c| c == id);
    let draw: Vec<usize> = result.draw_order.iter().filter_map(index).collect();
    let excluded: Vec<usize> = result
        .rounds
        .iter()
        .flat_map(|round| round.excluded.iter())
        .filter_map(index)
        .collect();
    annotated(plain, &draw, &excluded)
}

/// Counts an election's ballots: both factors of the influence cap on the weights, the BLT
/// export, its SHA-256 as the draw's seed, and Meek STV with the organization rule.
pub async fn count_ballots(
    db: &impl ConnectionTrait,
    election: &election::Model,
    rules: &FrozenRules,
    candidates: &[Uuid],
) -> ApiResult<Counted> {
    let rows = ElectionBallot::find()
        .select_only()
        .column(entity::election_ballot::Column::NominalWeight)
        .column(entity::election_ballot::Column::Sponsor)
        .filter(entity::election_ballot::Column::ElectionId.eq(election.id))
        .into_tuple::<(i32, bool)>()
        .all(db)
        .await?;
    let cast_sponsor: f64 = rows
        .iter()
        .filter(|(_, s)| *s)
        .map(|(w, _)| f64::from(*w) * rules.sponsor_scale)
        .sum();
    let cast_other: f64 = rows
        .iter()
        .filter(|(_, s)| !*s)
        .map(|(w, _)| f64::from(*w))
        .sum();
    let cast_scale = sponsor_scale(cast_sponsor, cast_other, rules.sponsor_influence_cap);
    let scale = rules.sponsor_scale * cast_scale;
    let ballots = published_ballots(db, election.id, scale).await?;
    let seats = usize::try_from(election.seats.max(1)).unwrap_or(1);
    let (mut names, counted, blt) = blt_of(&election.title, seats, candidates, &ballots);
    // The organization rule, with the organizations frozen when voting opened: BLT has no
    // field for it, so it is attached here.
    let organizations = eligibility::frozen_organizations(db, rules).await?;
    for (name, candidate) in names.iter_mut().zip(candidates) {
        name.organizations = organizations
            .get(candidate)
            .into_iter()
            .flatten()
            .map(Uuid::to_string)
            .collect();
    }
    let seed = Sha256::digest(blt.as_bytes());
    let result = count::count(&names, seats, &counted, &seed).map_err(ApiError::internal)?;
    Ok(Counted {
        result: StoredResult::new(
            &result,
            candidates,
            hex::encode(seed),
            cast_scale,
            ballots.len() as u64,
        ),
        blt,
    })
}
