//! Roles (committee powers of a person) and API scopes (what an integration token may read).

pub use entity::account_role::Role;

/// What an API token may do: one typed row per scope in `api_token_scopes`.
pub use entity::api_token_scope::ApiScope;
