//! The membership classes: Contributor, Mirror and Sponsor.

use async_graphql::{Enum, Object};
use entity::membership_class;

use crate::auth::Role;

/// The key of a membership class; every `class` argument takes it.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum MembershipClassKey {
    /// Any individual connected to the project who acts in good faith. Free.
    Contributor,
    /// Whoever hosts a verified project mirror. Free.
    Mirror,
    /// Whoever financially supports the foundation. Paid, through a sponsorship.
    Sponsor,
}

impl MembershipClassKey {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Contributor => "CONTRIBUTOR",
            Self::Mirror => "MIRROR",
            Self::Sponsor => "SPONSOR",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        [Self::Contributor, Self::Mirror, Self::Sponsor]
            .into_iter()
            .find(|class| class.as_str() == key)
    }

    /// The committee that accepts applicants; `None` for Sponsor, which follows a sponsorship.
    pub fn approving_role(self) -> Option<Role> {
        match self {
            Self::Contributor => Some(Role::MembershipCommittee),
            Self::Mirror => Some(Role::TechnologyCommittee),
            Self::Sponsor => None,
        }
    }
}

/// The class row, wrapped so that no column becomes API by accident.
#[derive(Clone, Debug)]
pub struct MembershipClass(pub membership_class::Model);

/// A kind of membership, with its default vote weight and cost.
#[Object]
impl MembershipClass {
    /// The class's key.
    async fn key(&self) -> Option<MembershipClassKey> {
        MembershipClassKey::parse(&self.0.key)
    }

    /// The class's name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Who may hold it and how it stays active.
    async fn description(&self) -> &str {
        &self.0.description
    }

    /// The weight of a vote. A Sponsor membership's weight comes from its sponsor tier.
    async fn vote_weight(&self) -> i32 {
        self.0.vote_weight
    }

    /// Whether membership costs money.
    async fn paid(&self) -> bool {
        self.0.paid
    }

    /// The committee that accepts applicants; null when membership follows a sponsorship.
    async fn approved_by(&self) -> Option<Role> {
        self.0.approved_by.as_deref().and_then(Role::parse)
    }

    /// Whether an organization may hold it, not only an individual.
    async fn organizations_may_hold(&self) -> bool {
        self.0.organizations_may_hold
    }
}
