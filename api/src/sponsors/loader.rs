//! Batches sponsor relations: tiers, sponsorships, contributions and their totals.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use entity::{
    contribution,
    prelude::{Contribution, SponsorTier, Sponsorship},
    sponsor_tier, sponsorship,
};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::{
    error::ApiError,
    sponsors::totals::{joined, split_sums},
};

/// Loads tiers by id.
pub struct TierLoader(pub DatabaseConnection);

impl Loader<Uuid> for TierLoader {
    type Value = sponsor_tier::Model;
    type Error = ApiError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = SponsorTier::find()
            .filter(sponsor_tier::Column::Id.is_in(keys.iter().copied()))
            .all(&self.0)
            .await?;
        Ok(rows.into_iter().map(|row| (row.id, row)).collect())
    }
}

/// Loads sponsorships by id.
pub struct SponsorshipLoader(pub DatabaseConnection);

impl Loader<Uuid> for SponsorshipLoader {
    type Value = sponsorship::Model;
    type Error = ApiError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = Sponsorship::find()
            .filter(sponsorship::Column::Id.is_in(keys.iter().copied()))
            .all(&self.0)
            .await?;
        Ok(rows.into_iter().map(|row| (row.id, row)).collect())
    }
}

/// Loads each sponsorship's contributions, oldest first.
pub struct ContributionsLoader(pub DatabaseConnection);

impl Loader<Uuid> for ContributionsLoader {
    type Value = Vec<contribution::Model>;
    type Error = ApiError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = Contribution::find()
            .filter(contribution::Column::SponsorshipId.is_in(keys.iter().copied()))
            .order_by_asc(contribution::Column::ReceivedOn)
            .order_by_asc(contribution::Column::Id)
            .all(&self.0)
            .await?;
        let mut by_sponsorship: HashMap<Uuid, Self::Value> = HashMap::new();
        for row in rows {
            by_sponsorship
                .entry(row.sponsorship_id)
                .or_default()
                .push(row);
        }
        Ok(by_sponsorship)
    }
}

/// Sums each sponsorship's contributions in SQL, exactly, whatever their number and size.
pub struct ContributionTotalLoader(pub DatabaseConnection);

impl Loader<Uuid> for ContributionTotalLoader {
    type Value = i128;
    type Error = ApiError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let (high, low) = split_sums("contributions", "amount_minor");
        let rows: Vec<(Uuid, i64, i64)> = Contribution::find()
            .select_only()
            .column(contribution::Column::SponsorshipId)
            .expr_as(high, "high")
            .expr_as(low, "low")
            .filter(contribution::Column::SponsorshipId.is_in(keys.iter().copied()))
            .group_by(contribution::Column::SponsorshipId)
            .into_tuple()
            .all(&self.0)
            .await?;
        Ok(rows
            .into_iter()
            .map(|(id, high, low)| (id, joined(high, low)))
            .collect())
    }
}

/// Loads sponsors' display consent by sponsor key; a sponsor with none recorded is absent.
pub struct ConsentLoader(pub DatabaseConnection);

impl Loader<String> for ConsentLoader {
    type Value = bool;
    type Error = ApiError;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Self::Value>, Self::Error> {
        use entity::{prelude::SponsorConsent, sponsor_consent};
        let rows = SponsorConsent::find()
            .filter(sponsor_consent::Column::SponsorKey.is_in(keys.iter().cloned()))
            .all(&self.0)
            .await?;
        Ok(rows
            .into_iter()
            .map(|row| (row.sponsor_key, row.disclose))
            .collect())
    }
}
