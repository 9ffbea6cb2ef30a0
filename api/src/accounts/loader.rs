//! Batches account and organization look-ups by key: one statement per request, whatever the
//! page size.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use entity::{
    account, organization, organization_representative,
    prelude::{Account, Organization, OrganizationRepresentative},
};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::error::ApiError;

/// Loads accounts by id.
pub struct AccountLoader(pub DatabaseConnection);

impl Loader<Uuid> for AccountLoader {
    type Value = account::Model;
    type Error = ApiError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = Account::find()
            .filter(account::Column::Id.is_in(keys.iter().copied()))
            .all(&self.0)
            .await?;
        Ok(rows.into_iter().map(|row| (row.id, row)).collect())
    }
}

/// Loads the roles of accounts by account id.
pub struct RolesLoader(pub DatabaseConnection);

impl Loader<Uuid> for RolesLoader {
    type Value = Vec<crate::auth::Role>;
    type Error = ApiError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        use entity::{account_role, prelude::AccountRole};
        let rows = AccountRole::find()
            .filter(account_role::Column::AccountId.is_in(keys.iter().copied()))
            .all(&self.0)
            .await?;
        let mut roles: HashMap<Uuid, Self::Value> = HashMap::new();
        for row in rows {
            roles.entry(row.account_id).or_default().push(row.role);
        }
        // BOARD follows the directorships in office, never a grant.
        use entity::{directorship, prelude::Directorship};
        let directors = Directorship::find()
            .filter(directorship::Column::AccountId.is_in(keys.iter().copied()))
            .filter(directorship::in_office_on(chrono::Utc::now().date_naive()))
            .all(&self.0)
            .await?;
        for row in directors {
            let held = roles.entry(row.account_id).or_default();
            if !held.contains(&crate::auth::Role::Board) {
                held.push(crate::auth::Role::Board);
            }
        }
        Ok(roles)
    }
}

/// Loads organizations by id.
pub struct OrganizationLoader(pub DatabaseConnection);

impl Loader<Uuid> for OrganizationLoader {
    type Value = organization::Model;
    type Error = ApiError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = Organization::find()
            .filter(organization::Column::Id.is_in(keys.iter().copied()))
            .all(&self.0)
            .await?;
        Ok(rows.into_iter().map(|row| (row.id, row)).collect())
    }
}

/// Loads, for each account, the organizations it represents.
pub struct RepresentedOrganizationsLoader(pub DatabaseConnection);

impl Loader<Uuid> for RepresentedOrganizationsLoader {
    type Value = Vec<organization::Model>;
    type Error = ApiError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let links = OrganizationRepresentative::find()
            .filter(organization_representative::Column::AccountId.is_in(keys.iter().copied()))
            .all(&self.0)
            .await?;
        let organizations: HashMap<Uuid, organization::Model> = Organization::find()
            .filter(organization::Column::Id.is_in(links.iter().map(|l| l.organization_id)))
            .all(&self.0)
            .await?
            .into_iter()
            .map(|row| (row.id, row))
            .collect();
        let mut by_account: HashMap<Uuid, Self::Value> = HashMap::new();
        for link in links {
            if let Some(organization) = organizations.get(&link.organization_id) {
                by_account
                    .entry(link.account_id)
                    .or_default()
                    .push(organization.clone());
            }
        }
        Ok(by_account)
    }
}

/// Loads, for each organization, the ids of its representatives.
pub struct RepresentativesLoader(pub DatabaseConnection);

impl Loader<Uuid> for RepresentativesLoader {
    type Value = Vec<Uuid>;
    type Error = ApiError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = OrganizationRepresentative::find()
            .filter(organization_representative::Column::OrganizationId.is_in(keys.iter().copied()))
            .all(&self.0)
            .await?;
        let mut by_organization: HashMap<Uuid, Self::Value> = HashMap::new();
        for row in rows {
            by_organization
                .entry(row.organization_id)
                .or_default()
                .push(row.account_id);
        }
        Ok(by_organization)
    }
}
