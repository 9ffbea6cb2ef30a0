//! Who wrote an amendment or a comment, as the viewer may see it. A member whose memberships are
//! all undisclosed is not named to the public by what it writes: the committees and the person
//! themselves still see the name.

use std::collections::{HashMap, HashSet};

use entity::{
    membership, organization_representative,
    prelude::{Membership as Memberships, OrganizationRepresentative},
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::{
    auth::Viewer,
    error::ApiResult,
    holders::{Holder, is_committee},
};

/// What the public sees instead of the name of a member who asked not to be listed.
pub const UNLISTED: &str = "a member who asked not to be listed";

/// The accounts among `authors` that `viewer` must not see named: those holding at least one
/// membership (themselves or through an organization they represent), every one of them
/// undisclosed. Two statements for any number of authors.
pub async fn hidden_from(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    authors: &[Uuid],
) -> ApiResult<HashSet<Uuid>> {
    if is_committee(viewer) {
        return Ok(HashSet::new());
    }
    let me = viewer.account_id();
    let authors: Vec<Uuid> = authors
        .iter()
        .copied()
        .filter(|a| Some(*a) != me)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    if authors.is_empty() {
        return Ok(HashSet::new());
    }
    // Each holder key an author speaks for: their own, and their organizations'.
    let mut speaks_for: HashMap<String, Vec<Uuid>> = authors
        .iter()
        .map(|a| (Holder::Account(*a).key(), vec![*a]))
        .collect();
    for link in OrganizationRepresentative::find()
        .filter(organization_representative::Column::AccountId.is_in(authors.clone()))
        .all(db)
        .await?
    {
        speaks_for
            .entry(Holder::Organization(link.organization_id).key())
            .or_default()
            .push(link.account_id);
    }
    let held: Vec<(String, bool)> = Memberships::find()
        .select_only()
        .column(membership::Column::HolderKey)
        .column(membership::Column::Disclose)
        .filter(membership::Column::HolderKey.is_in(speaks_for.keys().cloned()))
        .into_tuple()
        .all(db)
        .await?;
    // author → (holds any membership, holds a disclosed one)
    let mut standing: HashMap<Uuid, (bool, bool)> = HashMap::new();
    for (key, disclose) in held {
        for author in speaks_for.get(&key).into_iter().flatten() {
            let entry = standing.entry(*author).or_default();
            entry.0 = true;
            entry.1 |= disclose;
        }
    }
    Ok(standing
        .into_iter()
        .filter(|(_, (any, disclosed))| *any && !disclosed)
        .map(|(author, _)| author)
        .collect())
}
