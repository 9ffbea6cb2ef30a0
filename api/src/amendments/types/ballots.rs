//! The viewer's part in an amendment's vote: the roll entries they may cast (their own and
//! their organizations'), and the votes recorded for them. Read through one loader, so a list
//! of amendments costs the same few statements whatever its length.

use std::collections::HashMap;

use async_graphql::{Context, ID, Object, dataloader::Loader};
use entity::{
    amendment_vote::{self, VoteChoice},
    organization_representative,
    prelude::{AmendmentVote, OrganizationRepresentative, VoterRoll},
    voter_roll,
};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::{
    error::{ApiError, ApiResult},
    holders::Holder,
    ids,
    loaders::loader,
    members::{loader::MembershipLoader, types::Membership},
    time::DateTime,
};

/// One roll entry the viewer may cast, with the vote recorded for it, if any.
#[derive(Clone, Debug)]
pub struct Ballot {
    pub entry: voter_roll::Model,
    pub vote: Option<amendment_vote::Model>,
}

/// Loads, for each (amendment, account), the roll entries the account may cast and their votes.
pub struct BallotLoader(pub DatabaseConnection);

impl Loader<(Uuid, Uuid)> for BallotLoader {
    type Value = Vec<Ballot>;
    type Error = ApiError;

    async fn load(
        &self,
        keys: &[(Uuid, Uuid)],
    ) -> Result<HashMap<(Uuid, Uuid), Self::Value>, Self::Error> {
        let accounts: Vec<Uuid> = keys.iter().map(|(_, account)| *account).collect();
        let amendments: Vec<Uuid> = keys.iter().map(|(amendment, _)| *amendment).collect();
        let mut holder_keys: HashMap<Uuid, Vec<String>> = accounts
            .iter()
            .map(|account| (*account, vec![Holder::Account(*account).key()]))
            .collect();
        for link in OrganizationRepresentative::find()
            .filter(organization_representative::Column::AccountId.is_in(accounts.clone()))
            .all(&self.0)
            .await?
        {
            holder_keys
                .entry(link.account_id)
                .or_default()
                .push(Holder::Organization(link.organization_id).key());
        }
        let all_keys: Vec<String> = holder_keys.values().flatten().cloned().collect();
        let entries = VoterRoll::find()
            .filter(voter_roll::Column::AmendmentId.is_in(amendments.clone()))
            .filter(voter_roll::Column::HolderKey.is_in(all_keys))
            .all(&self.0)
            .await?;
        let mut votes: HashMap<Uuid, amendment_vote::Model> = AmendmentVote::find()
            .filter(amendment_vote::Column::RollEntryId.is_in(entries.iter().map(|e| e.id)))
            .all(&self.0)
            .await?
            .into_iter()
            .map(|vote| (vote.roll_entry_id, vote))
            .collect();
        let mut ballots: HashMap<(Uuid, Uuid), Self::Value> = HashMap::new();
        for entry in entries {
            let vote = votes.remove(&entry.id);
            for &(amendment, account) in keys {
                let mine = holder_keys
                    .get(&account)
                    .is_some_and(|keys| keys.contains(&entry.holder_key));
                if entry.amendment_id == amendment && mine {
                    ballots
                        .entry((amendment, account))
                        .or_default()
                        .push(Ballot {
                            entry: entry.clone(),
                            vote: vote.clone(),
                        });
                }
            }
        }
        for list in ballots.values_mut() {
            list.sort_by_key(|ballot| ballot.entry.id);
        }
        Ok(ballots)
    }
}

/// The roll entries `account` may cast on `amendment`, with their votes.
pub async fn ballots_of(
    ctx: &Context<'_>,
    amendment: Uuid,
    account: Uuid,
) -> ApiResult<Vec<Ballot>> {
    Ok(loader::<BallotLoader>(ctx)?
        .load_one((amendment, account))
        .await?
        .unwrap_or_default())
}

/// A vote as recorded.
#[derive(Clone, Debug)]
pub struct Vote {
    /// The roll entry that cast it: one vote per entry.
    pub entry_id: Uuid,
    pub choice: VoteChoice,
    /// The membership that voted; none in a board vote, where a director votes in person.
    pub membership_id: Option<Uuid>,
    pub cast_at: chrono::DateTime<chrono::Utc>,
}

impl crate::ids::NodeKind for Vote {
    const KIND: &'static str = "Vote";
}

impl Vote {
    /// The vote recorded for a roll entry.
    pub fn of(entry: &voter_roll::Model, vote: &amendment_vote::Model) -> Self {
        Self {
            entry_id: vote.roll_entry_id,
            choice: vote.choice,
            membership_id: entry.membership_id,
            cast_at: vote.cast_at,
        }
    }
}

/// A vote on an amendment, as its voter sees it.
#[Object]
impl Vote {
    /// The vote's own opaque ID (one per roll entry; only its voter reads it), so that
    /// normalized caches keep one record per vote.
    async fn id(&self) -> ID {
        crate::ids::id_of::<Self>(self.entry_id)
    }

    /// The choice.
    async fn choice(&self) -> VoteChoice {
        self.choice
    }

    /// The membership that voted (members' votes); null in a board vote.
    async fn membership(&self, ctx: &Context<'_>) -> ApiResult<Option<Membership>> {
        let Some(id) = self.membership_id else {
            return Ok(None);
        };
        Ok(loader::<MembershipLoader>(ctx)?
            .load_one(id)
            .await?
            .map(Membership))
    }

    /// The global ID of the membership that voted (members' votes); null in a board vote.
    async fn membership_id(&self) -> Option<ID> {
        self.membership_id.map(ids::id_of::<Membership>)
    }

    /// When it was last cast.
    async fn cast_at(&self) -> DateTime {
        self.cast_at.into()
    }
}
