//! The GraphQL types of the board: a director (a directorship in office) and the board itself
//! with its size rules and violations.

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use entity::directorship::{self, SeatKind};

use crate::{
    accounts::{loader::AccountLoader, types::Account},
    error::ApiResult,
    ids::{self, NodeKind},
    loaders::cached_loader,
    organizations::{loader::OrganizationLoader, types::Organization},
    time::Date,
};

/// A directorship row.
#[derive(Clone, Debug)]
pub struct Director(pub directorship::Model);

impl NodeKind for Director {
    const KIND: &'static str = "Directorship";
}

/// A seat on the board held by a person for a term.
#[Object(name = "Directorship")]
impl Director {
    /// The directorship's opaque global ID.
    pub async fn id(&self) -> ID {
        ids::id_of::<Self>(self.0.id)
    }

    /// The director.
    async fn person(&self, ctx: &Context<'_>) -> ApiResult<Option<Account>> {
        Ok(cached_loader::<AccountLoader>(ctx)?
            .load_one(self.0.account_id)
            .await?
            .map(Account::new))
    }

    /// A general seat or the Community Director seat.
    async fn kind(&self) -> SeatKind {
        self.0.kind
    }

    /// The organization the director works for or represents, if any.
    async fn organization(&self, ctx: &Context<'_>) -> ApiResult<Option<Organization>> {
        let Some(id) = self.0.organization_id else {
            return Ok(None);
        };
        Ok(cached_loader::<OrganizationLoader>(ctx)?
            .load_one(id)
            .await?
            .map(Organization))
    }

    /// The first day in office.
    async fn term_starts_on(&self) -> Date {
        self.0.term_starts_on.into()
    }

    /// The first day no longer in office.
    async fn term_ends_on(&self) -> Date {
        self.0.term_ends_on.into()
    }

    /// The election that seated the director; null for a seat carried over from a `BOARD` role
    /// grant or seated by the operator.
    async fn election_id(&self) -> Option<ID> {
        self.0
            .election_id
            .map(ids::id_of::<crate::elections::types::Election>)
    }
}

/// A rule of the board's composition that the directors in office break.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum BoardViolationKind {
    /// Fewer directors than the minimum size.
    TooFewDirectors,
    /// More directors than the maximum size.
    TooManyDirectors,
    /// Fewer directors than the required multiple of the Platinum sponsors.
    TooFewForPlatinumSponsors,
    /// Two or more directors work for or represent one organization.
    SharedOrganization,
}

/// A rule the board breaks now, with a sentence saying how.
#[derive(SimpleObject, Clone, Debug)]
pub struct BoardViolation {
    /// Which rule.
    pub kind: BoardViolationKind,
    /// What is wrong, for people to read.
    pub message: String,
}

/// The board of record: the directors in office today and the rules of its size.
pub struct Board {
    pub directors: Vec<directorship::Model>,
    /// Distinct people in office.
    pub size: i32,
    pub minimum_size: i32,
    pub maximum_size: i32,
    pub platinum_sponsors: i32,
    pub required_for_platinum: i32,
    pub violations: Vec<BoardViolation>,
}

/// The board of directors in office, with its size rules and what it breaks of them.
#[Object]
impl Board {
    /// The directors in office today, longest serving first.
    async fn directors(&self) -> Vec<Director> {
        self.directors.iter().cloned().map(Director).collect()
    }

    /// How many people are in office as directors (a person on two seats counts once).
    async fn size(&self) -> i32 {
        self.size
    }

    /// The fewest directors the board may have (policy; 7 by default).
    async fn minimum_size(&self) -> i32 {
        self.minimum_size
    }

    /// The most directors the board may have (policy; 13 by default).
    async fn maximum_size(&self) -> i32 {
        self.maximum_size
    }

    /// Sponsors with an active Platinum sponsorship today.
    async fn platinum_sponsors(&self) -> i32 {
        self.platinum_sponsors
    }

    /// The fewest directors the Platinum sponsors require (twice their number by default).
    async fn required_for_platinum_sponsors(&self) -> i32 {
        self.required_for_platinum
    }

    /// The rules broken now, as sentences; empty when the board is well formed.
    async fn violations(&self) -> Vec<String> {
        self.violations.iter().map(|v| v.message.clone()).collect()
    }

    /// The rules broken now, each with its kind.
    async fn violation_details(&self) -> &[BoardViolation] {
        &self.violations
    }
}
