//! The membership classes: Contributor, Mirror and Sponsor.

use async_graphql::Object;
use entity::membership_class;

use crate::auth::{Role, Viewer};

/// The key of a membership class: one type for the column, the domain and GraphQL.
pub use entity::membership_class::MembershipClassKey;

/// The committee that accepts applicants to `class`; `None` for Sponsor, which follows a
/// sponsorship.
pub fn approving_role(class: MembershipClassKey) -> Option<Role> {
    match class {
        MembershipClassKey::Contributor => Some(Role::MembershipCommittee),
        MembershipClassKey::Mirror => Some(Role::TechnologyCommittee),
        MembershipClassKey::Sponsor => None,
    }
}

/// Whether the viewer may review applications to `class`: its committee, or an `ADMIN`, who
/// stands in when a committee member cannot decide their own case.
pub fn may_review(viewer: &Viewer, class: MembershipClassKey) -> bool {
    approving_role(class).is_some_and(|role| viewer.has_role(role)) || viewer.has_role(Role::Admin)
}

/// The class's name as members read it, e.g. "Contributor".
pub fn class_title(class: MembershipClassKey) -> &'static str {
    match class {
        MembershipClassKey::Contributor => "Contributor",
        MembershipClassKey::Mirror => "Mirror",
        MembershipClassKey::Sponsor => "Sponsor",
    }
}

/// The committee that acts on memberships of `class`: the Treasurer for Sponsor.
pub fn committee_for(class: MembershipClassKey) -> Role {
    approving_role(class).unwrap_or(Role::Treasurer)
}

/// The class row, wrapped so that no column becomes API by accident.
#[derive(Clone, Debug)]
pub struct MembershipClass(pub membership_class::Model);

/// A kind of membership, with its default vote weight and cost.
#[Object]
impl MembershipClass {
    /// The class's key.
    async fn key(&self) -> Option<MembershipClassKey> {
        // Nullable in the published schema, from when an unknown key read as null.
        Some(self.0.key)
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
        self.0.approved_by
    }

    /// Whether an organization may hold it, not only an individual.
    async fn organizations_may_hold(&self) -> bool {
        self.0.organizations_may_hold
    }
}
