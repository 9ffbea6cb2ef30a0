//! Roles (committee powers of a person) and API scopes (what an integration token may read).

use async_graphql::Enum;

/// A committee power. A person can hold several; each grant and revocation is audited.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum Role {
    /// Operates the system: grants roles and reads the audit log.
    Admin,
    /// Accepts contributor applicants.
    MembershipCommittee,
    /// Verifies mirrors.
    TechnologyCommittee,
    /// Records sponsorships and contributions.
    Treasurer,
    /// Keeps the bylaws and runs amendment votes.
    Secretary,
    /// Marks a director in office.
    Board,
    /// Runs elections.
    ElectionCommittee,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Admin,
        Role::MembershipCommittee,
        Role::TechnologyCommittee,
        Role::Treasurer,
        Role::Secretary,
        Role::Board,
        Role::ElectionCommittee,
    ];

    /// The stable name stored in the database and shown in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "ADMIN",
            Role::MembershipCommittee => "MEMBERSHIP_COMMITTEE",
            Role::TechnologyCommittee => "TECHNOLOGY_COMMITTEE",
            Role::Treasurer => "TREASURER",
            Role::Secretary => "SECRETARY",
            Role::Board => "BOARD",
            Role::ElectionCommittee => "ELECTION_COMMITTEE",
        }
    }

    pub fn parse(name: &str) -> Option<Role> {
        let wanted = name.trim().to_ascii_uppercase().replace('-', "_");
        Self::ALL.into_iter().find(|role| role.as_str() == wanted)
    }
}

/// What an API token may do. A token can only read, and only what its scopes name.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum ApiScope {
    /// Read the public sponsor list and sponsor activity.
    SponsorsRead,
    /// Read the public member directory.
    MembersRead,
}

impl ApiScope {
    pub const ALL: [ApiScope; 2] = [ApiScope::SponsorsRead, ApiScope::MembersRead];

    pub fn as_str(self) -> &'static str {
        match self {
            ApiScope::SponsorsRead => "SPONSORS_READ",
            ApiScope::MembersRead => "MEMBERS_READ",
        }
    }

    pub fn parse(name: &str) -> Option<ApiScope> {
        Self::ALL
            .into_iter()
            .find(|scope| scope.as_str() == name.trim())
    }
}
