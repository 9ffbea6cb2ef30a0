//! Batches an election's relations: turnout counts, nominations, nominees' standing against the
//! eligibility rules, and the viewer's own entries on the roll, so a page of elections costs a
//! fixed number of statements.

use std::collections::{HashMap, HashSet};

use async_graphql::dataloader::Loader;
use entity::{
    election_roll, election_voter, nomination,
    prelude::{ElectionRoll, ElectionVoter, Nomination},
};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::{
    elections::eligibility::{self, Candidacy, Standing},
    error::ApiError,
    policy,
};

/// Loads how many roll entries voted in each election.
pub struct TurnoutLoader(pub DatabaseConnection);

impl Loader<Uuid> for TurnoutLoader {
    type Value = u64;
    type Error = ApiError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows: Vec<(Uuid, i64)> = ElectionVoter::find()
            .select_only()
            .column(election_voter::Column::ElectionId)
            .column_as(election_voter::Column::RollEntryId.count(), "voted")
            .filter(election_voter::Column::ElectionId.is_in(keys.iter().copied()))
            .group_by(election_voter::Column::ElectionId)
            .into_tuple()
            .all(&self.0)
            .await?;
        Ok(rows
            .into_iter()
            .map(|(id, n)| (id, u64::try_from(n).unwrap_or(0)))
            .collect())
    }
}

/// Loads each election's nominations, in the order they were made.
pub struct NominationsLoader(pub DatabaseConnection);

impl Loader<Uuid> for NominationsLoader {
    type Value = Vec<nomination::Model>;
    type Error = ApiError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = Nomination::find()
            .filter(nomination::Column::ElectionId.is_in(keys.iter().copied()))
            .order_by_asc(nomination::Column::CreatedAt)
            .order_by_asc(nomination::Column::Id)
            .all(&self.0)
            .await?;
        let mut out: HashMap<Uuid, Self::Value> = HashMap::new();
        for row in rows {
            out.entry(row.election_id).or_default().push(row);
        }
        Ok(out)
    }
}

/// Loads each candidacy's standing against the eligibility rules: every nominee of every
/// election asked for in one batch.
pub struct StandingLoader(pub DatabaseConnection);

impl Loader<Candidacy> for StandingLoader {
    type Value = Standing;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[Candidacy],
    ) -> Result<HashMap<Candidacy, Self::Value>, Self::Error> {
        let policy = policy::current(&self.0).await?;
        eligibility::eligibility(&self.0, &policy, keys).await
    }
}

/// One of the viewer's entries on an election's roll, and whether it voted.
#[derive(Clone, Debug)]
pub struct ViewerEntry {
    pub entry: election_roll::Model,
    pub voted: bool,
}

/// Loads the viewer's entries on each election's roll, keyed by (election, account).
pub struct ViewerRollLoader(pub DatabaseConnection);

impl Loader<(Uuid, Uuid)> for ViewerRollLoader {
    type Value = Vec<ViewerEntry>;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[(Uuid, Uuid)],
    ) -> Result<HashMap<(Uuid, Uuid), Self::Value>, Self::Error> {
        let mut out: HashMap<(Uuid, Uuid), Self::Value> = HashMap::new();
        let accounts: HashSet<Uuid> = keys.iter().map(|(_, a)| *a).collect();
        for account in accounts {
            let elections: Vec<Uuid> = keys
                .iter()
                .filter(|(_, a)| *a == account)
                .map(|(e, _)| *e)
                .collect();
            let holder_keys = crate::holders::holder_keys_of(&self.0, account).await?;
            let entries = ElectionRoll::find()
                .filter(election_roll::Column::ElectionId.is_in(elections))
                .filter(election_roll::Column::HolderKey.is_in(holder_keys))
                .all(&self.0)
                .await?;
            let voted: HashSet<Uuid> = ElectionVoter::find()
                .filter(election_voter::Column::RollEntryId.is_in(entries.iter().map(|e| e.id)))
                .all(&self.0)
                .await?
                .into_iter()
                .map(|v| v.roll_entry_id)
                .collect();
            for entry in entries {
                let voted = voted.contains(&entry.id);
                out.entry((entry.election_id, account))
                    .or_default()
                    .push(ViewerEntry { entry, voted });
            }
        }
        Ok(out)
    }
}
