//! The entities, re-exported for `use entity::prelude::*`.

pub use crate::account::Entity as Account;
