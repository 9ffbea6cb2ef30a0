//! Batches what a list of amendments shows: their section changes, the bylaws versions they
//! change (for `diff`) and their vote counts, one statement each for the whole page.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use entity::{
    amendment_change, amendment_vote, bylaws_section,
    prelude::{AmendmentChange as Changes, BylawsSection},
    voter_roll,
};
use sea_orm::{
    ActiveEnum, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    sea_query::{Alias, Expr, ExprTrait, Query, UnionType},
};
use uuid::Uuid;

use crate::{
    amendments::results::VoteCounts,
    bylaws::{db::section_of, text::Document},
    error::ApiError,
    ids,
};

/// Loads each amendment's section changes, in order.
pub struct ChangesLoader(pub DatabaseConnection);

impl Loader<Uuid> for ChangesLoader {
    type Value = Vec<amendment_change::Model>;
    type Error = ApiError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = Changes::find()
            .filter(amendment_change::Column::AmendmentId.is_in(keys.iter().copied()))
            .order_by_asc(amendment_change::Column::AmendmentId)
            .order_by_asc(amendment_change::Column::Ordinal)
            .all(&self.0)
            .await?;
        let mut changes: HashMap<Uuid, Self::Value> =
            keys.iter().map(|key| (*key, Vec::new())).collect();
        for row in rows {
            changes.entry(row.amendment_id).or_default().push(row);
        }
        Ok(changes)
    }
}

/// Loads the text of bylaws versions by number.
pub struct DocumentLoader(pub DatabaseConnection);

impl Loader<i32> for DocumentLoader {
    type Value = Document;
    type Error = ApiError;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        let rows = BylawsSection::find()
            .filter(bylaws_section::Column::VersionNumber.is_in(keys.iter().copied()))
            .all(&self.0)
            .await?;
        let mut sections: HashMap<i32, Vec<_>> =
            keys.iter().map(|key| (*key, Vec::new())).collect();
        for row in rows {
            sections
                .entry(row.version_number)
                .or_default()
                .push(section_of(row));
        }
        Ok(sections
            .into_iter()
            .map(|(number, sections)| (number, Document::new(sections)))
            .collect())
    }
}

/// Loads the vote counts of amendments: one statement, two aggregates (the roll's size and the
/// votes by choice) joined by `UNION ALL`, however many amendments and votes there are.
pub struct VoteCountsLoader(pub DatabaseConnection);

/// The `choice` the roll's count is reported under.
const ROLL: &str = "ROLL";

impl Loader<Uuid> for VoteCountsLoader {
    type Value = VoteCounts;
    type Error = ApiError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let (choice, n) = (Alias::new("choice"), Alias::new("n"));
        let mut select = Query::select();
        select
            .column(voter_roll::Column::AmendmentId)
            .expr_as(Expr::cust(format!("'{ROLL}'")), choice.clone())
            .expr_as(Expr::col(voter_roll::Column::Id).count(), n.clone())
            .from(voter_roll::Entity)
            .and_where(voter_roll::Column::AmendmentId.is_in(keys.iter().copied()))
            .group_by_col(voter_roll::Column::AmendmentId);
        let mut votes = Query::select();
        votes
            .column(amendment_vote::Column::AmendmentId)
            .expr_as(Expr::col(amendment_vote::Column::Choice), choice)
            .expr_as(Expr::col(amendment_vote::Column::RollEntryId).count(), n)
            .from(amendment_vote::Entity)
            .and_where(amendment_vote::Column::AmendmentId.is_in(keys.iter().copied()))
            .group_by_col(amendment_vote::Column::AmendmentId)
            .group_by_col(amendment_vote::Column::Choice);
        select.union(UnionType::All, votes);
        let statement = self.0.get_database_backend().build(&select);
        let rows = sea_orm::ConnectionTrait::query_all_raw(&self.0, statement).await?;
        let mut counts: HashMap<Uuid, VoteCounts> = keys
            .iter()
            .map(|key| {
                let none = VoteCounts {
                    id: ids::id_of::<VoteCounts>(*key),
                    amendment_id: ids::id_of::<ids::kind::Amendment>(*key),
                    yes: 0,
                    no: 0,
                    abstain: 0,
                    eligible_voters: 0,
                };
                (*key, none)
            })
            .collect();
        for row in rows {
            let amendment: Uuid = row.try_get_by_index(0)?;
            let choice: String = row.try_get_by_index(1)?;
            let n = u64::try_from(row.try_get_by_index::<i64>(2)?).unwrap_or(0);
            let Some(entry) = counts.get_mut(&amendment) else {
                continue;
            };
            let slot = if choice == ROLL {
                &mut entry.eligible_voters
            } else {
                match amendment_vote::VoteChoice::try_from_value(&choice)
                    .map_err(|err| ApiError::internal(format!("a stored vote choice: {err}")))?
                {
                    amendment_vote::VoteChoice::Yes => &mut entry.yes,
                    amendment_vote::VoteChoice::No => &mut entry.no,
                    amendment_vote::VoteChoice::Abstain => &mut entry.abstain,
                }
            };
            *slot = n;
        }
        Ok(counts)
    }
}
