//! `account_roles`: a committee power held by an account.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "account_roles")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub account_id: Uuid,
    /// The role's stable name, e.g. `TECHNOLOGY_COMMITTEE`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub role: Role,
    pub granted_at: DateTimeUtc,
    /// Who granted it; `None` when granted from the command line.
    pub granted_by: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// A committee power. A person can hold several; each grant and revocation is audited.
#[derive(
    Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, async_graphql::Enum,
)]
#[sea_orm(
    rs_type = "String",
    db_type = "String(StringLen::None)",
    rename_all = "SCREAMING_SNAKE_CASE"
)]
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

    /// The role as a person names it in a sentence, e.g. "the Membership Committee".
    pub fn title(self) -> &'static str {
        match self {
            Role::Admin => "an administrator",
            Role::MembershipCommittee => "the Membership Committee",
            Role::TechnologyCommittee => "the Technology Committee",
            Role::Treasurer => "the Treasurer",
            Role::Secretary => "the Secretary",
            Role::Board => "the Board",
            Role::ElectionCommittee => "the Election Committee",
        }
    }

    /// Reads a role name typed by a person (the CLI): any case, `-` or `_`.
    pub fn parse(name: &str) -> Option<Role> {
        let wanted = name.trim().to_ascii_uppercase().replace('-', "_");
        Self::ALL.into_iter().find(|role| role.as_str() == wanted)
    }
}
