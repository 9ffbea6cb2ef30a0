//! Roles (committee powers of a person) and API scopes (what an integration token may read).

use async_graphql::Enum;

pub use entity::account_role::Role;

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

    /// The scopes stored with a token, comma-separated. An unknown one is corruption, never
    /// dropped in silence: a token's powers are exactly what was granted.
    pub fn parse_stored(list: &str) -> crate::error::ApiResult<Vec<ApiScope>> {
        list.split(',')
            .map(|name| {
                Self::parse(name).ok_or_else(|| {
                    crate::error::ApiError::internal(format!(
                        "an API token holds the unknown scope `{name}`"
                    ))
                })
            })
            .collect()
    }

    pub fn parse(name: &str) -> Option<ApiScope> {
        Self::ALL
            .into_iter()
            .find(|scope| scope.as_str() == name.trim())
    }
}
