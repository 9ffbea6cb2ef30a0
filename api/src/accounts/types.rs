//! The `Account` GraphQL type: a person's public face.

use async_graphql::{ID, Object};
use entity::account;

use crate::{
    ids::{self, NodeKind},
    time::DateTime,
};

/// The account row, wrapped so that no column becomes API by accident.
#[derive(Clone, Debug)]
pub struct Account(pub account::Model);

impl NodeKind for Account {
    const KIND: &'static str = "Account";
}

/// A person who logs in. Only the display name is public.
#[Object]
impl Account {
    /// The account's opaque global ID.
    pub async fn id(&self) -> ID {
        ids::id_of::<Self>(self.0.id)
    }

    /// The name the person chose to be shown by.
    async fn display_name(&self) -> &str {
        &self.0.display_name
    }

    /// When the account was created.
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
}
