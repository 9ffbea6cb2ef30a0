//! The `Organization` GraphQL type lives beside `Account`, which it refers to and which refers to
//! it; this path is kept for the domains that name it here.

pub use crate::accounts::types::Organization;
