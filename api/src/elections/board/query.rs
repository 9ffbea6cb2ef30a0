//! Reading the board of record: public, as the foundation's website shows it.

use std::collections::{HashMap, HashSet};

use async_graphql::{Context, Object};
use chrono::{NaiveDate, Utc};
use entity::{
    directorship,
    prelude::{SponsorTier, Sponsorship},
    sponsor_tier, sponsorship,
};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::{
    elections::board::{
        in_office, organizations_of_directors,
        types::{Board, BoardViolation, BoardViolationKind},
    },
    error::ApiResult,
    policy,
};

/// The name of the tier whose sponsors the board must outnumber.
pub const PLATINUM: &str = "Platinum";

/// Sponsors (distinct) with an active sponsorship at the Platinum tier on `day`.
pub async fn platinum_sponsors(db: &impl ConnectionTrait, day: NaiveDate) -> ApiResult<i32> {
    let Some(tier) = SponsorTier::find()
        .filter(sponsor_tier::Column::Name.eq(PLATINUM))
        .one(db)
        .await?
    else {
        return Ok(0);
    };
    let sponsors: HashSet<String> = Sponsorship::find()
        .filter(sponsorship::Column::TierId.eq(tier.id))
        .filter(crate::sponsors::status::active_on(day))
        .all(db)
        .await?
        .into_iter()
        .map(|s| s.sponsor_key)
        .collect();
    Ok(i32::try_from(sponsors.len()).unwrap_or(i32::MAX))
}

/// The board on `day`, with every size rule it breaks.
pub async fn board_on(db: &impl ConnectionTrait, day: NaiveDate) -> ApiResult<Board> {
    let policy = policy::current(db).await?;
    let directors = in_office(db, day).await?;
    let platinum = platinum_sponsors(db, day).await?;
    let required = platinum.saturating_mul(policy.board_per_platinum_sponsor);
    // People, not seats: a person holds one directorship at a time, and a board with one person
    // on two seats is no larger for it.
    let people: HashSet<uuid::Uuid> = directors.iter().map(|d| d.account_id).collect();
    let size = i32::try_from(people.len()).unwrap_or(i32::MAX);
    let mut violations = Vec::new();
    if size < policy.board_minimum_size {
        violations.push(BoardViolation {
            kind: BoardViolationKind::TooFewDirectors,
            message: format!(
                "the board has {size} directors; it needs at least {}",
                policy.board_minimum_size
            ),
        });
    }
    if size > policy.board_maximum_size {
        violations.push(BoardViolation {
            kind: BoardViolationKind::TooManyDirectors,
            message: format!(
                "the board has {size} directors; it may have at most {}",
                policy.board_maximum_size
            ),
        });
    }
    if size < required {
        violations.push(BoardViolation {
            kind: BoardViolationKind::TooFewForPlatinumSponsors,
            message: format!(
                "the board has {size} directors; with {platinum} Platinum sponsors it needs at least {required}"
            ),
        });
    }
    // The organization rule as certification applies it: any two directors sharing an
    // organization, through their seat or any representation now.
    let mut per_organization: HashMap<uuid::Uuid, HashSet<uuid::Uuid>> = HashMap::new();
    for (account, organizations) in organizations_of_directors(db, &directors).await? {
        for org in organizations {
            per_organization.entry(org).or_default().insert(account);
        }
    }
    let mut shared: Vec<_> = per_organization
        .into_iter()
        .map(|(org, people)| (org, people.len()))
        .filter(|(_, n)| *n > 1)
        .collect();
    shared.sort();
    for (org, n) in shared {
        violations.push(BoardViolation {
            kind: BoardViolationKind::SharedOrganization,
            message: format!(
                "{n} directors work for or represent one organization ({})",
                crate::ids::id_of::<crate::organizations::types::Organization>(org).0
            ),
        });
    }
    Ok(Board {
        directors,
        size,
        minimum_size: policy.board_minimum_size,
        maximum_size: policy.board_maximum_size,
        platinum_sponsors: platinum,
        required_for_platinum: required,
        violations,
    })
}

/// Whether `account` holds a directorship in office on `day`.
pub async fn is_director(
    db: &impl ConnectionTrait,
    account: uuid::Uuid,
    day: NaiveDate,
) -> ApiResult<bool> {
    Ok(entity::prelude::Directorship::find()
        .filter(directorship::Column::AccountId.eq(account))
        .filter(directorship::in_office_on(day))
        .one(db)
        .await?
        .is_some())
}

#[derive(Default)]
pub struct BoardQuery;

#[Object]
impl BoardQuery {
    /// The board of record: the directors in office today, the size rules (7 to 13 directors,
    /// and at least twice as many as there are Platinum sponsors, by default) and any rule the
    /// board breaks now. Public.
    async fn board(&self, ctx: &Context<'_>) -> ApiResult<Board> {
        let db = ctx.data::<DatabaseConnection>()?;
        board_on(db, Utc::now().date_naive()).await
    }
}
