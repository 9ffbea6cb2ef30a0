//! Small builders for fixtures, so each test states only what matters to it.

use api::ids;
use chrono::Utc;
use entity::account;
use sea_orm::{ActiveModelTrait, Set};

use crate::TestApp;

/// An account inserted straight into the database.
pub struct AccountBuilder {
    display_name: String,
    email: Option<String>,
}

/// Starts an account fixture.
pub fn an_account() -> AccountBuilder {
    AccountBuilder {
        display_name: "Ada Lovelace".to_owned(),
        email: None,
    }
}

impl AccountBuilder {
    pub fn named(mut self, display_name: &str) -> Self {
        self.display_name = display_name.to_owned();
        self
    }

    pub async fn create(self, app: &TestApp) -> account::Model {
        let id = ids::new_key();
        let now = Utc::now();
        account::ActiveModel {
            id: Set(id),
            email: Set(self.email.unwrap_or_else(|| format!("{id}@example.org"))),
            display_name: Set(self.display_name),
            password_hash: Set("not-a-login".to_owned()),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(app.db())
        .await
        .expect("insert an account")
    }
}
